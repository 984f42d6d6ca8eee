// A real PACS round trip: Orthanc (Debian orthanc + orthanc-dicomweb) on a loopback port holds the
// shared real CT series; the built app is served by `node dist/serve.mjs --dicomweb <Orthanc>`, opens
// the study by URL (OHIF's ?StudyInstanceUIDs=), analyses it and stores SEG + SR back; Orthanc then
// lists them. Every request the page makes stays on the app's own origin. The CLI does the same trip.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { collectPageErrors } from './support/app.ts';
import { cliAnalyze } from './support/cli.ts';
import { freePort, startOrthanc, type OrthancServer } from './support/orthanc.ts';
import { dataRoot, repoRoot } from './support/paths.ts';

const seriesDir = path.join(dataRoot, 'ct-series/lung-pet-ct-dx-a0002');
const seriesFiles = readdirSync(seriesDir).filter((f) => f.endsWith('.dcm')).map((f) => path.join(seriesDir, f));

let orthanc: OrthancServer;
let serve: ChildProcess;
let appUrl: string;
let studyUid: string;
let seriesUid: string;

interface QidoSeries {
  '00080060'?: { Value?: string[] };
  '0020000E'?: { Value?: string[] };
}

/** Modalities of the study's series, as Orthanc's own DICOMweb lists them. */
async function seriesModalities(): Promise<string[]> {
  const r = await fetch(`${orthanc.dicomweb}/studies/${studyUid}/series`, { headers: { accept: 'application/dicom+json' } });
  const rows = (await r.json()) as QidoSeries[];
  return rows.map((s) => s['00080060']?.Value?.[0] ?? '?').sort();
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  orthanc = await startOrthanc();
  await orthanc.upload(seriesFiles);
  const studies = await orthanc.rest<string[]>('/studies');
  const study = await orthanc.rest<{ MainDicomTags: { StudyInstanceUID: string } }>(`/studies/${studies[0]}`);
  studyUid = study.MainDicomTags.StudyInstanceUID;
  const [series] = await orthanc.rest<string[]>('/series');
  seriesUid = (await orthanc.rest<{ MainDicomTags: { SeriesInstanceUID: string } }>(`/series/${series}`)).MainDicomTags.SeriesInstanceUID;
  const port = await freePort();
  serve = spawn(process.execPath, [path.join(repoRoot, 'dist/serve.mjs'), '--port', String(port), '--dicomweb', orthanc.dicomweb], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    serve.once('exit', (code) => reject(new Error(`serve.mjs exited (${code}): run \`npx vite build\` first`)));
    serve.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('Open http')) resolve(); });
  });
  appUrl = `http://127.0.0.1:${port}`;
});

test.afterAll(async () => {
  serve?.kill();
  await orthanc?.stop();
});

test('search the PACS from the panel, then open a study by URL, analyse it and store SEG + SR in the PACS; no request leaves the origin', async ({ page, context }) => {
  test.setTimeout(600_000);
  const errors = collectPageErrors(page);
  const offOrigin: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === appUrl) return route.continue();
    offOrigin.push(url);
    return route.abort('blockedbyclient');
  });

  // Search: part of the patient's name finds the study.
  await page.goto(`${appUrl}/`);
  await expect(page.getByTestId('pacs-panel')).toBeVisible();
  await page.getByLabel('Patient name').fill('A0002');
  await page.getByTestId('pacs-search').click();
  const results = page.getByTestId('pacs-results');
  await expect(results.locator(':scope > li')).toHaveCount(1);
  await results.getByRole('button', { name: 'series' }).click();
  await expect(results.locator('ul.series > li')).toHaveText([/^\s*CT .*· 30 images\s*$/]);

  // Open by URL, as a PACS viewer link would.
  // WASM: on this CI machine SwiftShader's WebGPU is slower than WASM (the badge says so).
  await page.goto(`${appUrl}/?StudyInstanceUIDs=${studyUid}&backend=wasm`);
  await expect(page.getByTestId('series-item')).toHaveCount(1, { timeout: 120_000 });
  await page.getByTestId('series-item').first().click();
  await page.getByTestId('run-analysis').click();
  const status = page.getByTestId('analysis-status');
  await expect(status).toHaveText(/^(done|error: .*)$/, { timeout: 480_000 });
  await expect(status).toHaveText('done');

  expect(await seriesModalities()).toEqual(['CT']);
  await page.getByTestId('store-results').click();
  await expect(page.getByTestId('store-status')).toHaveText(/^(stored|error: .*)$/, { timeout: 120_000 });
  await expect(page.getByTestId('store-status')).toHaveText('stored');
  expect(await seriesModalities()).toEqual(['CT', 'SEG', 'SR']);

  expect(offOrigin).toEqual([]);
  expect(errors).toEqual([]);
});

test('the CLI makes the same round trip: pull the study, analyse, store SEG + SR', async () => {
  test.setTimeout(300_000);
  const before = await seriesModalities();
  const out = mkdtempSync(path.join(os.tmpdir(), 'lunglens-pacs-cli-'));
  try {
    const records = cliAnalyze([], ['--dicomweb', orthanc.dicomweb, '--study', studyUid, '--store', '--dicom-out', out]).filter((r) => 'file' in r);
    expect(records).toHaveLength(seriesFiles.length);
    expect(records.every((r) => !('error' in r))).toBe(true);
    const written = readdirSync(out).sort();
    expect(written).toEqual([`${seriesUid}.seg.dcm`, `${seriesUid}.sr.dcm`]);
    expect(readFileSync(path.join(out, written[0])).subarray(128, 132).toString()).toBe('DICM');
    const after = await seriesModalities();
    expect(after.filter((m) => m === 'SEG').length).toBe(before.filter((m) => m === 'SEG').length + 1);
    expect(after.filter((m) => m === 'SR').length).toBe(before.filter((m) => m === 'SR').length + 1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
