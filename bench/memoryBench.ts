// Memory benchmark (issue 15): writes bench/memory-results.md.
//  1. CLI: `lunglens analyze DIR --jsonl` over 200 / 800 / 3,200 small PNG slices, in one
//     process (--jobs 1): peak resident memory of the process must not grow with the number of inputs.
//  2. App: a 2,000-slice 512² CT series (made from a real slice) opened and analysed in Debian Chromium
//     on WASM: peak resident memory of the whole browser (every process) must stay under 2 GB.
// Memory is the resident set summed over the process tree, sampled every 200 ms from /proc.
// BENCH_CLI_COUNTS="200,800", BENCH_CLI_MODALITY=cxr and BENCH_APP_SLICES=2000 change the runs; BENCH_SKIP_APP=1
// skips part 2. (CT slices by default: each costs ~0.1 s of CPU, a radiograph ~0.3 s; memory is what is measured.)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encode } from 'fast-png';
import { chromium } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';
import { writeSeriesFromRealSlice } from '../e2e/support/syntheticSeries.ts';
import { dicomSamples } from '../e2e/support/paths.ts';
import { repoRoot, sh, startPreview } from './support/previewServer.ts';
import { childPids, watchPeakRss } from './support/processMemory.ts';

const CLI_COUNTS = (process.env.BENCH_CLI_COUNTS ?? '200,800,3200').split(',').map(Number);
const CLI_MODALITY = process.env.BENCH_CLI_MODALITY ?? 'ct';
const APP_SLICES = Number(process.env.BENCH_APP_SLICES ?? 2000);
const APP_LIMIT = 2 * 1024 ** 3;
const mib = (b: number) => (b / 1024 ** 2).toFixed(0);

interface CliRow { inputs: number; seconds: number; peak: number; exit: number | null }

async function cliRun(dir: string, count: number): Promise<CliRow> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/lunglens.mjs'), 'analyze', dir, '--modality', CLI_MODALITY, '--jsonl', '--output', path.join(dir, '..', `out-${count}.jsonl`)], {
    cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'],
  });
  const watch = watchPeakRss(child.pid!);
  const exit = await new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { inputs: count, seconds: (Date.now() - started) / 1000, peak: watch.stop(), exit };
}

async function cliPart(): Promise<string[]> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lunglens-membench-'));
  const rows: CliRow[] = [];
  try {
    for (const count of CLI_COUNTS) {
      const dir = path.join(root, `n${count}`);
      mkdirSync(dir);
      for (let i = 0; i < count; i++) {
        const data = new Uint8Array(64 * 64);
        for (let j = 0; j < data.length; j++) data[j] = (i * 29 + j * 5) & 0xff;
        writeFileSync(path.join(dir, `image-${String(i).padStart(6, '0')}.png`), encode({ width: 64, height: 64, data, channels: 1, depth: 8 }));
      }
      rows.push(await cliRun(dir, count));
      console.log(rows[rows.length - 1]);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const first = rows[0];
  const last = rows[rows.length - 1];
  const growth = last && first ? ((last.peak - first.peak) / 1024 ** 2 / ((last.inputs - first.inputs) / 1000)).toFixed(1) : 'n/a';
  return [
    '## CLI: memory against the number of inputs',
    '',
    `\`lunglens analyze DIR --modality ${CLI_MODALITY} --jsonl --output FILE\` (one process, records streamed to the file), 64² PNG images.`,
    '',
    '| inputs | exit | time (s) | per input (ms) | peak resident memory (MiB) |',
    '|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.inputs.toLocaleString('en-US')} | ${r.exit} | ${r.seconds.toFixed(1)} | ${((r.seconds * 1000) / r.inputs).toFixed(0)} | ${mib(r.peak)} |`),
    '',
    `Growth: ${growth} MiB per 1,000 more inputs (the list of paths and per-file header facts; no pixels or records are kept).`,
    '',
  ];
}

async function appPart(): Promise<string[]> {
  const outDir = path.join(repoRoot, 'bench/tmp/dist-memory');
  await sh('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir']);
  const server = await startPreview(outDir, 4397);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const { dir, files } = await writeSeriesFromRealSlice(path.join(dicomSamples, 'covid19-ny-sbu-ct/A002304_axial_19001231-076.dcm'), APP_SLICES);
  // Playwright starts the browser as a child of this process; its tree holds every renderer, GPU and utility process.
  const [browserPid] = childPids(process.pid, /chromium/);
  try {
    if (!browserPid) throw new Error('no browser process id to measure');
    const watch = watchPeakRss(browserPid);
    const page = await browser.newPage();
    await page.goto(`${server.base}/?backend=wasm`);
    const t0 = Date.now();
    await page.getByTestId('file-input').setInputFiles(files);
    await page.getByTestId('series-item').first().waitFor({ timeout: 600_000 });
    const loadSeconds = (Date.now() - t0) / 1000;
    const afterLoad = watch.peak();
    const t1 = Date.now();
    await page.getByTestId('run-analysis').click();
    await page.getByTestId('analysis-status').filter({ hasText: /^(done|error.*)$/ }).waitFor({ timeout: 3_600_000 });
    const analyseSeconds = (Date.now() - t1) / 1000;
    const status = await page.getByTestId('analysis-status').textContent();
    const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
    const peak = watch.stop();
    return [
      '## App: a 2,000-slice series',
      '',
      `${APP_SLICES.toLocaleString('en-US')} CT slices, 512², from a real COVID-19 slice, opened as files and analysed on WASM (series over 600 images: every k-th slice).`,
      '',
      '| step | time (s) | peak resident memory of the browser, all processes (MiB) | limit |',
      '|---|---:|---:|---|',
      `| open (${APP_SLICES} files → series list) | ${loadSeconds.toFixed(1)} | ${mib(afterLoad)} | 2,048 MiB |`,
      `| analyse (status: ${status}) | ${analyseSeconds.toFixed(1)} | ${mib(peak)} | 2,048 MiB |`,
      '',
      `Main-page JS heap at the end: ${mib(heap)} MiB. Result: ${peak < APP_LIMIT ? '**under 2 GB**' : '**over 2 GB**'}.`,
      '',
    ];
  } finally {
    await browser.close();
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const parts = [
    '# Memory benchmark',
    '',
    `${new Date().toISOString()} · ${os.cpus().length} cores · ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB · resident memory summed over the process tree, sampled every 200 ms`,
    '',
    ...(await cliPart()),
    ...(process.env.BENCH_SKIP_APP ? ['## App', '', 'Skipped (BENCH_SKIP_APP).', ''] : await appPart()),
  ];
  const text = parts.join('\n');
  console.log(text);
  writeFileSync(path.join(repoRoot, 'bench/memory-results.md'), text);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
