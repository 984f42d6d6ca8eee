// Ingestion benchmark: a 1,000-file synthetic CT series opened in Debian Chromium through the
// real file input: time to the series list, JS heap after loading, and the longest main-thread
// task while loading (how frozen the UI got). Prints a table and writes bench/ingest-results.md.
import { writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';
import { writeSyntheticSeries } from '../e2e/support/syntheticSeries.ts';
import { repoRoot, sh, startPreview } from './support/previewServer.ts';

const SIZES = [{ files: 1000, px: 128 }, { files: 1000, px: 512 }];

interface Row { files: number; px: number; loadMs: number; heapMb: number; longestTaskMs: number; firstSliceMs: number }

async function main(): Promise<void> {
  const outDir = path.join(repoRoot, 'bench/tmp/dist-ingest');
  await sh('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir']);
  const server = await startPreview(outDir, 4394);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs, '--enable-precise-memory-info'] });
  const rows: Row[] = [];
  try {
    for (const size of SIZES) {
      const { dir, files } = writeSyntheticSeries(size.files, size.px);
      const page = await browser.newPage();
      await page.goto(server.base);
      await page.evaluate(() => {
        const w = window as unknown as { __longest: number };
        w.__longest = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.__longest = Math.max(w.__longest, e.duration);
        }).observe({ type: 'longtask', buffered: false });
      });
      const t0 = Date.now();
      await page.getByTestId('file-input').setInputFiles(files);
      await page.getByTestId('series-item').first().waitFor({ timeout: 300_000 });
      const loadMs = Date.now() - t0;
      await page.locator('[data-testid="viewer"][data-shown-slice]:not([data-shown-slice="-1"])').waitFor();
      const firstSliceMs = Date.now() - t0;
      const m = await page.evaluate(() => ({
        heap: (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? NaN,
        longest: (window as unknown as { __longest: number }).__longest,
      }));
      rows.push({ ...size, loadMs, firstSliceMs, heapMb: m.heap / 2 ** 20, longestTaskMs: m.longest });
      await page.close();
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await browser.close();
    server.stop();
  }
  const table = [
    '| files | slice size | time to series list (ms) | time to first slice shown (ms) | JS heap after (MiB) | longest main-thread task (ms) |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.files} | ${r.px}² | ${r.loadMs} | ${r.firstSliceMs} | ${r.heapMb.toFixed(1)} | ${r.longestTaskMs.toFixed(0)} |`),
  ].join('\n');
  const text = `# Ingestion benchmark\n\n${new Date().toISOString()} · ${os.cpus().length} cores · Chromium headless (Debian)\n\n${table}\n\nHeaders are parsed in the decode worker; the main thread only receives the series list. A long task is any main-thread task over 50 ms (0 = none seen); it includes Chromium's own handling of the 1,000-file selection.\n`;
  console.log(text);
  writeFileSync(path.join(repoRoot, 'bench/ingest-results.md'), text);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
