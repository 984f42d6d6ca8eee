// Analysis benchmark: a 300-slice CT series made from a real slice, analysed in Debian Chromium on
// WASM through the app's UI (decode worker → inference worker → overlays). Reports total time, time
// per slice, and the longest main-thread task during the run (is the UI responsive?). Writes
// bench/analysis-results.md.
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';
import { writeSeriesFromRealSlice } from '../e2e/support/syntheticSeries.ts';
import { dicomSamples } from '../e2e/support/paths.ts';
import { repoRoot, sh, startPreview } from './support/previewServer.ts';

const SLICES = Number(process.env.BENCH_SLICES ?? 300);

async function main(): Promise<void> {
  const outDir = path.join(repoRoot, 'bench/tmp/dist-analysis');
  await sh('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir']);
  const server = await startPreview(outDir, 4395);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const { dir, files } = await writeSeriesFromRealSlice(path.join(dicomSamples, 'covid19-ny-sbu-ct/A002304_axial_19001231-076.dcm'), SLICES);
  try {
    const page = await browser.newPage();
    await page.goto(`${server.base}/?backend=wasm`);
    await page.getByTestId('file-input').setInputFiles(files);
    await page.getByTestId('series-item').first().waitFor({ timeout: 300_000 });
    const badge = await page.getByTestId('backend-badge').textContent();
    await page.evaluate(() => {
      const w = window as unknown as { __longest: number; __tasks: number };
      w.__longest = 0;
      w.__tasks = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          w.__longest = Math.max(w.__longest, e.duration);
          w.__tasks++;
        }
      }).observe({ type: 'longtask' });
    });
    const t0 = Date.now();
    await page.getByTestId('run-analysis').click();
    await page.getByTestId('analysis-status').filter({ hasText: /^(done|error.*)$/ }).waitFor({ timeout: 3_600_000 });
    const totalMs = Date.now() - t0;
    const status = await page.getByTestId('analysis-status').textContent();
    const m = await page.evaluate(() => {
      const w = window as unknown as { __longest: number; __tasks: number };
      return { longest: w.__longest, tasks: w.__tasks };
    });
    const text = [
      '# Analysis benchmark',
      '',
      `${new Date().toISOString()} · ${os.cpus().length} cores · Chromium headless (Debian) · ${badge}`,
      '',
      '| series | status | total (s) | per slice (ms) | longest main-thread task (ms) | long tasks (>50 ms) |',
      '|---|---|---:|---:|---:|---:|',
      `| ${SLICES} CT slices, 512², from a real COVID-19 slice | ${status} | ${(totalMs / 1000).toFixed(1)} | ${(totalMs / SLICES).toFixed(0)} | ${m.longest.toFixed(0)} | ${m.tasks} |`,
      '',
      'Per slice: decode (worker) + lung crop + regression + segmentation (inference worker) + overlay packing (main thread).',
      '',
    ].join('\n');
    console.log(text);
    writeFileSync(path.join(repoRoot, 'bench/analysis-results.md'), text);
  } finally {
    await browser.close();
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
