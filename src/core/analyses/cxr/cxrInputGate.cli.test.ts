import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encode as encodePng } from 'fast-png';
import { seededRandom } from '../../dicom/testing/fuzzCorpus.ts';

/*
 * The input gate through the command line a user runs: `lunglens analyze ... --modality cxr --json` on a
 * blank PNG, a noise PNG and 16-bit garbage made here, a chest CT DICOM slice forced to be read as a
 * radiograph, and two real radiographs (a COVID-QU-Ex PNG, the DX DICOM sample) that must still be analysed.
 */
const repoRoot = path.resolve(__dirname, '../../../..');
const dataRoot = path.resolve(repoRoot, '../shared/data');
const cli = path.join(repoRoot, 'bin/lunglens.mjs');
const haveGate = existsSync(path.join(repoRoot, 'models/cxr-input-gate/model.int8.onnx'));
const work = mkdtempSync(path.join(tmpdir(), 'lunglens-gate-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function png(name: string, size: number, value: (i: number) => number, depth: 8 | 16 = 8): string {
  const data = depth === 8 ? new Uint8Array(size * size) : new Uint16Array(size * size);
  for (let i = 0; i < data.length; i++) data[i] = value(i);
  const file = path.join(work, name);
  writeFileSync(file, encodePng({ width: size, height: size, data, channels: 1, depth }));
  return file;
}

describe.skipIf(!haveGate)('lunglens analyze --modality cxr: the input gate', () => {
  it('prints "assessed": false and a reason, no classification or detections, for non-radiographs; real ones pass', () => {
    const random = seededRandom(7);
    const refused = [
      png('blank.png', 256, () => 0),
      png('noise.png', 512, () => Math.floor(random() * 256)),
      png('garbage16.png', 384, () => Math.floor(random() * 65536), 16),
      path.join(dataRoot, 'ct-series/lidc-idri-0001/000060.dcm'),
    ];
    const real = [
      path.join(dataRoot, 'covid-qu-ex/Train/Normal/images/Normal (11768).png'),
      path.join(dataRoot, 'dicom-samples/cr-dx-chest/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm'),
    ].filter(existsSync);
    const r = spawnSync(process.execPath, [cli, 'analyze', ...refused, ...real, '--modality', 'cxr', '--json'],
      { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
    // a refused image is an answer, not a failure
    expect(r.status, r.stderr).toBe(0);
    const records = JSON.parse(r.stdout) as Record<string, unknown>[];
    const byFile = new Map(records.map((x) => [x.file as string, x]));
    for (const file of refused) {
      const rec = byFile.get(file)!;
      expect(rec, file).toBeDefined();
      expect(rec.modality).toBe('cxr');
      expect(rec.assessed, file).toBe(false);
      expect(rec.reason, file).toMatch(/^not a chest radiograph: /);
      expect(rec).not.toHaveProperty('classification');
      expect(rec).not.toHaveProperty('detections');
      expect(rec).not.toHaveProperty('infectionPercentOfLung');
    }
    expect(real.length).toBe(2);
    for (const file of real) {
      const rec = byFile.get(file)! as { classification?: { label: string }; detections?: object; assessed?: boolean };
      expect(rec.assessed, file).toBeUndefined();
      expect(typeof rec.classification?.label, file).toBe('string');
      expect(rec.detections, file).toBeDefined();
    }
  }, 150_000);
});
