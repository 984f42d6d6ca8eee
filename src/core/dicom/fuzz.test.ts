/**
 * Fuzz corpus through the real CLI: at least 300 files mutated from real seeds (seeded, made
 * here, never committed) go through `lunglens inspect` and `lunglens analyze`, each in one
 * process. Nothing may crash or hang; every file gets an answer; a file that must be refused
 * gets a clear error record; a file that still decodes must give sane values.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_SIDE } from './imageLimits.ts';
import { generateFuzzCorpus, type FuzzCase, type FuzzSeed } from './testing/fuzzCorpus.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const dataRoot = path.resolve(repoRoot, '../shared/data');
const seedFiles = [
  'dicom-samples/ct-chest-transfer-syntaxes/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm',
  'dicom-samples/ct-chest-transfer-syntaxes/CTImage.dcm_JPEGProcess14TransferSyntax_1.2.840.10008.1.2.4.57.dcm',
  'dicom-samples/ct-chest-transfer-syntaxes/CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm',
  'dicom-samples/ct-chest-transfer-syntaxes/CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm',
  'dicom-samples/ct-chest-transfer-syntaxes/CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm',
  'dicom-samples/ct-chest-transfer-syntaxes/CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm',
  'dicom-samples/cr-dx-chest/gdcm-CR-MONO1-10-chest.dcm',
  'dicom-samples/cr-dx-chest/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm',
  'dicom-samples/multiframe-encapsulated/CT0012.fragmented_no_bot_jpeg_lossless.57.dcm',
  'dicom-samples/covid19-ny-sbu-ct/A002304_axial_19001231-076.dcm',
  'covid-qu-ex/Train/Normal/images/Normal (11766).png',
].map((f) => path.join(dataRoot, f));
const present = seedFiles.every((f) => existsSync(f));
const CORPUS_SIZE = 330;

const work = mkdtempSync(path.join(tmpdir(), 'lunglens-fuzz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runCli(args: string[], timeoutMs: number): { status: number | null; signal: string | null; records: Record<string, unknown>[]; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/lunglens.mjs'), ...args], {
    cwd: repoRoot, encoding: 'utf8', maxBuffer: 256 << 20, timeout: timeoutMs,
  });
  let records: Record<string, unknown>[] = [];
  try {
    records = JSON.parse(r.stdout) as Record<string, unknown>[];
  } catch {
    // left empty: the assertions below say what went wrong
  }
  return { status: r.status, signal: r.signal, records, stderr: r.stderr.slice(-2000) };
}

/** A clear error: a real sentence, not "undefined" or an object dump. */
function expectClearError(text: unknown, file: string): void {
  expect(typeof text, file).toBe('string');
  expect((text as string).length, file).toBeGreaterThan(10);
  expect(text as string, file).not.toMatch(/^undefined$|\[object Object\]|^null$/);
}

/** Every number finite; percentages within 0-100; probabilities within 0-1. */
function expectSaneNumbers(value: unknown, file: string, key = ''): void {
  if (typeof value === 'number') {
    expect(Number.isFinite(value), `${file} ${key}`).toBe(true);
    if (/percent/i.test(key)) expect(value >= 0 && value <= 100, `${file} ${key}=${value}`).toBe(true);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => expectSaneNumbers(v, file, `${key}[${i}]`));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'probabilities') for (const p of Object.values(v as Record<string, number>)) expect(p >= 0 && p <= 1, `${file} p=${p}`).toBe(true);
      expectSaneNumbers(v, file, k);
    }
  }
}

describe.skipIf(!present)('fuzz corpus through lunglens inspect and analyze', () => {
  const seeds: FuzzSeed[] = present ? seedFiles.map((f) => ({ name: path.basename(f).replace(/\W+/g, '_').slice(-40), bytes: new Uint8Array(readFileSync(f)) })) : [];
  const corpus: FuzzCase[] = present ? generateFuzzCorpus(seeds, CORPUS_SIZE) : [];
  const dir = path.join(work, 'corpus');
  mkdirSync(dir);
  for (const c of corpus) writeFileSync(path.join(dir, c.name), c.bytes);
  const byPath = new Map(corpus.map((c) => [path.join(dir, c.name), c]));

  it(`makes ${CORPUS_SIZE} cases from ${seedFiles.length} real seeds, most of them must-fail`, () => {
    expect(corpus.length).toBe(CORPUS_SIZE);
    expect(new Set(corpus.map((c) => c.mutation)).size).toBeGreaterThanOrEqual(18);
    expect(corpus.filter((c) => c.mustFail).length).toBeGreaterThan(CORPUS_SIZE / 2);
  });

  it('inspect: one record per file, a clear error for every must-fail case, sane values otherwise', () => {
    const run = runCli(['inspect', dir, '--json'], 150_000);
    expect(run.signal, run.stderr).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    expect(run.records.map((r) => r.file).sort()).toEqual([...byPath.keys()].sort());
    for (const r of run.records) {
      const c = byPath.get(r.file as string)!;
      if (!r.ok) {
        const error = r.error as { code: string; message: string; action: string };
        expectClearError(error.message, c.name);
        expectClearError(error.action, c.name);
        continue;
      }
      expect(c.mustFail, `${c.name} (${c.mutation}) must be refused, got ok`).toBe(false);
      expect((r.rows as number) >= 1 && (r.rows as number) <= MAX_IMAGE_SIDE, c.name).toBe(true);
      expect((r.columns as number) >= 1 && (r.columns as number) <= MAX_IMAGE_SIDE, c.name).toBe(true);
      expect(Number.isInteger(r.frames) && (r.frames as number) >= 1, c.name).toBe(true);
      const stats = r.stats as { min: number; max: number; mean: number };
      expectSaneNumbers(stats, c.name);
      expect(stats.min <= stats.mean && stats.mean <= stats.max, c.name).toBe(true);
    }
  }, 180_000);

  it('analyze: every file answered, errors named, results sane, exit 1 (some failed), never a crash', () => {
    const files = [...byPath.keys()];
    const dicom = files.filter((f) => !f.endsWith('.png'));
    const png = files.filter((f) => f.endsWith('.png'));
    const records: Record<string, unknown>[] = [];
    for (const [list, extra] of [[dicom, []], [png, ['--modality', 'cxr']]] as const) {
      const run = runCli(['analyze', ...list, '--json', ...extra], 240_000);
      expect(run.signal, run.stderr).toBeNull();
      expect([0, 1], run.stderr).toContain(run.status);
      records.push(...run.records);
    }
    // Series records (`series`, no `file`) summarise slices that have their own records.
    const perFile = records.filter((r) => typeof r.file === 'string');
    expect([...new Set(perFile.map((r) => r.file as string))].sort()).toEqual(files.sort());
    for (const r of records.filter((x) => typeof x.series === 'string')) expectSaneNumbers(r, String(r.series));
    for (const r of perFile) {
      const c = byPath.get(r.file as string)!;
      if ('error' in r) {
        expectClearError(r.error, c.name);
        continue;
      }
      expect(c.mustFail, `${c.name} (${c.mutation}) must be refused, got a result`).toBe(false);
      expectSaneNumbers(r, c.name);
    }
  }, 480_000);
});
