import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { afterRepaint, canvasStats, collectPageErrors, openFiles, snapshot, waitForSlice } from './support/app.ts';
import { cliAnalyze } from './support/cli.ts';
import { dicomSamples, repoRoot } from './support/paths.ts';

/**
 * The analysis UI on real DICOM, on both backends. Tolerances against the CLI (onnxruntime-node,
 * same TS pre/post-processing): WASM differs from native ORT only by float summation order, so
 * integers may move by 1 at a rounding edge and mask percentages by a few threshold pixels
 * (≤ 0.5 percentage points); SwiftShader WebGPU uses other kernels (f32, different reductions), so
 * twice that. Probabilities within 0.02.
 */
const backends = [
  { name: 'wasm', intTol: 1, pctTol: 0.5 },
  { name: 'webgpu', intTol: 2, pctTol: 1.0 },
] as const;

const ctFiles = ['covid19-ny-sbu-ct/A002304_axial_19001231-076.dcm'].map((f) => path.join(dicomSamples, f));
const cxrFiles = ['cr-dx-chest/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm', 'cr-dx-chest/gdcm-CR-MONO1-10-chest.dcm'].map((f) => path.join(dicomSamples, f));

const hasModels = (): boolean => {
  const m = JSON.parse(fs.readFileSync(path.join(repoRoot, 'models/manifest.json'), 'utf8')) as { models: unknown[] };
  return m.models.length > 0;
};

async function analyseLastSeries(page: Page, timeoutMs: number): Promise<Record<string, any>> {
  await page.getByTestId('series-item').last().click();
  await waitForSlice(page, 0, 1);
  await page.getByTestId('run-analysis').click();
  await expect(page.getByTestId('analysis-status')).toHaveText('done', { timeout: timeoutMs });
  return JSON.parse((await page.getByTestId('report-json').textContent())!);
}

/** Mean |Δ| of the canvas with overlays on vs off, inside and outside an image-pixel rectangle. */
async function overlayDiff(page: Page, cols: number, rows: number, box: { x: number; y: number; w: number; h: number }) {
  await afterRepaint(page, () => page.getByTestId('overlay-toggle').setChecked(false));
  await snapshot(page, 'off');
  await afterRepaint(page, () => page.getByTestId('overlay-toggle').setChecked(true));
  await snapshot(page, 'on');
  return page.evaluate(([c, r, b]) => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewer"] canvas')!;
    const snaps = (window as unknown as { __snaps: Record<string, Uint8ClampedArray> }).__snaps;
    const W = canvas.width, H = canvas.height;
    // The image is fitted and centred (no pan/zoom in this test): image px -> canvas px.
    const s = Math.min(W / c, H / r);
    const ox = (W - c * s) / 2, oy = (H - r * s) / 2;
    const x0 = ox + b.x * s, x1 = ox + (b.x + b.w) * s, y0 = oy + b.y * s, y1 = oy + (b.y + b.h) * s;
    let inSum = 0, inN = 0, outSum = 0, outN = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4;
      const d = Math.abs(snaps.on[i] - snaps.off[i]) + Math.abs(snaps.on[i + 1] - snaps.off[i + 1]) + Math.abs(snaps.on[i + 2] - snaps.off[i + 2]);
      if (x >= x0 && x < x1 && y >= y0 && y < y1) { inSum += d; inN++; } else { outSum += d; outN++; }
    }
    return { inside: inSum / Math.max(1, inN), outside: outSum / Math.max(1, outN) };
  }, [cols, rows, box] as const);
}

for (const backend of backends) {
  test.describe(`analysis on ${backend.name}`, () => {
    test.skip(!hasModels(), 'no models in models/manifest.json');
    test.setTimeout(backend.name === 'webgpu' ? 900_000 : 300_000);

    test('CT slice: numbers match the CLI, overlays sit on the lungs, exports download', async ({ page }) => {
      const errors = collectPageErrors(page);
      const cli = cliAnalyze(ctFiles);
      await page.goto(`/?backend=${backend.name}`);
      await expect(page.getByTestId('backend-badge')).toContainText(backend.name === 'wasm' ? /CPU|WASM/ : /WebGPU/);
      for (const [i, file] of ctFiles.entries()) {
        await openFiles(page, [file]);
        const report = await analyseLastSeries(page, backend.name === 'webgpu' ? 600_000 : 120_000);
        const app = report.slices[0].record;
        const ref = cli[i] as Record<string, any>;
        expect(report.analysis).toBe('ct');
        expect(report.backend).toMatch(backend.name === 'wasm' ? /CPU|WASM/ : /WebGPU/);
        expect(Math.abs(app.infectionPercent - ref.infectionPercent)).toBeLessThanOrEqual(backend.intTol);
        expect(Math.abs(app.lesionPercentOfLung - ref.lesionPercentOfLung)).toBeLessThanOrEqual(backend.pctTol);
        expect(Math.abs(app.lungAreaPx - ref.lungAreaPx) / ref.lungAreaPx).toBeLessThan(0.002);
        expect(report.models.map((m: { id: string }) => m.id).sort()).toEqual(ref.models.map((m: { id: string }) => m.id).sort());

        const lung = ref.lungBox as { x: number; y: number; w: number; h: number };
        const d = await overlayDiff(page, 512, 512, lung);
        expect(d.inside, 'overlay pixels inside the lung box').toBeGreaterThan(1);
        expect(d.outside, 'no overlay far from the lungs').toBeLessThan(d.inside / 10);
      }
      await expect(page.getByTestId('ct-series-results')).toContainText('Severity');

      const downloads = [] as string[];
      for (const id of ['export-json', 'export-csv', 'export-png']) {
        const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
        const p = await dl.path();
        downloads.push(dl.suggestedFilename());
        const bytes = fs.readFileSync(p!);
        if (id === 'export-json') expect(JSON.parse(bytes.toString()).schema).toBe('lunglens-report/1');
        if (id === 'export-csv') expect(bytes.toString().split('\n')[0]).toContain('infectionPercent');
        if (id === 'export-png') expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      }
      expect(downloads).toHaveLength(3);
      expect(errors).toEqual([]);
    });

    test('radiographs: classification, boxes and masks match the CLI and are drawn', async ({ page }) => {
      const errors = collectPageErrors(page);
      const cli = cliAnalyze(cxrFiles);
      await page.goto(`/?backend=${backend.name}`);
      for (const [i, file] of cxrFiles.entries()) {
        await openFiles(page, [file]);
        const report = await analyseLastSeries(page, backend.name === 'webgpu' ? 600_000 : 120_000);
        const app = report.slices[0].record;
        const ref = cli[i] as Record<string, any>;
        expect(report.analysis).toBe('cxr');
        expect(app.classification.label).toBe(ref.classification.label);
        for (const [k, v] of Object.entries(ref.classification.probabilities as Record<string, number>)) {
          expect(Math.abs(app.classification.probabilities[k] - v)).toBeLessThan(0.02);
        }
        expect(Math.abs(app.infectionPercentOfLung - ref.infectionPercentOfLung)).toBeLessThanOrEqual(backend.pctTol * 2);
        expect(Math.abs(app.detections.ensemble.length - ref.detections.ensemble.length)).toBeLessThanOrEqual(1);
        await expect(page.getByTestId('class-probabilities')).toContainText(ref.classification.label);

        // Masks/boxes are drawn: overlay on vs off differs, and only where the image is.
        const stats = await canvasStats(page);
        expect(stats.std).toBeGreaterThan(4);
        const cols = file.includes('gdcm') ? 440 : 1024;
        const d = await overlayDiff(page, cols, cols, { x: 0, y: 0, w: cols, h: cols });
        expect(d.inside).toBeGreaterThan(0.5);
        expect(d.outside).toBeLessThan(0.05);
        // Each detector and the score threshold change what is listed: the count follows the app's own record.
        const boxes = app.detections as Record<string, { score: number }[]>;
        const count = page.getByTestId('opacity-count');
        for (const det of ['A', 'B', 'ensemble']) {
          await page.getByTestId('detector-select').selectOption(det);
          await expect(count).toContainText(new RegExp(`^${boxes[det].filter((b) => b.score >= 0.3).length} opacit`));
        }
        await page.getByTestId('score-threshold').fill('0.95');
        await expect(count).toContainText(new RegExp(`^${boxes.ensemble.filter((b) => b.score >= 0.95).length} opacit`));
      }
      expect(errors).toEqual([]);
    });
  });
}
