// Whole-study benchmark: each shared real CT series (../shared/data/ct-series) analysed as one series,
// in the app (Debian Chromium, WASM, through the UI: 3-D lungs, then every slice) and in the CLI
// (`lunglens analyze <folder> --series-only`), in one run. Time from "Analyse" to done (app) or process start
// to exit (CLI), and peak memory: the summed resident set of the browser's processes (renderer, workers,
// GPU) over the run, minus before it, and the CLI process' peak resident set. Sampled every 100 ms from
// /proc (Linux). Writes bench/study-results.md with the series numbers of both.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';
import { dataRoot } from '../e2e/support/paths.ts';
import { repoRoot, sh, startPreview } from './support/previewServer.ts';

const SERIES = ['lung-pet-ct-dx-a0002', 'lidc-idri-0001'];
const PAGE = 4096;

/** Resident set (bytes) of `pid` and its descendants whose command matches `only` (all when absent). */
function treeRss(pid: number, only?: RegExp): number {
  const children = new Map<number, number[]>();
  const comm = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      comm.set(Number(d), stat.slice(stat.indexOf('(') + 1, close));
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid)!.push(Number(d));
    } catch { /* gone */ }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    stack.push(...(children.get(p) ?? []));
    if (only && !only.test(comm.get(p) ?? '')) continue;
    try {
      total += Number(readFileSync(`/proc/${p}/statm`, 'utf8').split(' ')[1]) * PAGE;
    } catch { /* gone */ }
  }
  return total;
}

/** Peak of `sample()` while `work` runs. */
async function peakDuring<T>(sample: () => number, work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = sample();
  const timer = setInterval(() => { peak = Math.max(peak, sample()); }, 100);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, sample()) };
  } finally {
    clearInterval(timer);
  }
}

const filesOf = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.dcm')).map((f) => path.join(dir, f));
const mb = (b: number): string => (b / 2 ** 20).toFixed(0);

interface AppTimes {
  /** From the click on "Analyse" (its event time stamp), ms. */
  totalMs: number;
  preparedMs: number | null;
  firstResultMs: number | null;
  /** The overlay on the slice on screen (the viewer has painters). */
  firstOverlayMs: number | null;
  /** PerformanceObserver 'longtask' entries (> 50 ms) of the page's main thread between the click and done. */
  longestTaskMs: number;
  longTasks: number;
  /** The same from the click on the series (its whole-series pass and warm-up start then) to done. */
  longestSinceSelectMs: number;
}

/** Installed before the page's own scripts: long tasks, the click on "Analyse", the first overlay on screen. */
function instrumentPage(): void {
  const w = window as unknown as { __bench: { tasks: { start: number; duration: number }[]; click: number; select: number; overlay: number | null } };
  w.__bench = { tasks: [], click: -1, select: -1, overlay: null };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__bench.tasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask' });
  document.addEventListener('click', (e) => {
    if ((e.target as Element | null)?.closest?.('[data-testid="series-item"]')) w.__bench.select = e.timeStamp;
    if ((e.target as Element | null)?.closest?.('[data-testid="run-analysis"]')) {
      w.__bench.click = e.timeStamp;
      w.__bench.overlay = null;
    }
  }, true);
  new MutationObserver(() => {
    const v = document.querySelector('[data-testid="viewer"]');
    if (w.__bench.click >= 0 && w.__bench.overlay === null && v && v.getAttribute('data-overlays') !== '0') {
      // painted on the next frame
      requestAnimationFrame(() => { w.__bench.overlay ??= performance.now(); });
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-overlays'] });
}

/**
 * Opens the folder's files, selects the series and presses "Analyse" as soon as the app is ready (its
 * whole-series pass and the models' warm-up, which start when the series is shown, are done). `openMs`: from
 * handing the files to the page to done, everything the app did for the study (what the CLI's time covers).
 */
async function appRun(page: Page, base: string, dir: string): Promise<{ times: AppTimes; openMs: number; readyMs: number; summary: Record<string, unknown>; status: string }> {
  await page.goto(`${base}/?backend=wasm`);
  await page.getByTestId('backend-badge').filter({ hasText: /CPU|WASM|WebGPU/ }).waitFor({ timeout: 300_000 });
  const opened = Date.now();
  await page.getByTestId('file-input').setInputFiles(filesOf(dir));
  await page.getByTestId('series-item').first().click();
  await page.getByTestId('viewer').and(page.locator(':not([data-shown-slice="-1"])')).waitFor();
  await page.locator('[data-testid="run-analysis"][data-ready="true"]').waitFor({ timeout: 600_000 });
  const readyMs = Date.now() - opened;
  await page.getByTestId('run-analysis').click();
  await page.getByTestId('analysis-status').filter({ hasText: /^(done|error.*)$/ }).waitFor({ timeout: 3_600_000 });
  const openMs = Date.now() - opened;
  const status = (await page.getByTestId('analysis-status').textContent()) ?? '';
  const report = JSON.parse((await page.getByTestId('report-json').textContent()) ?? '{}');
  // (no named inner functions: tsx would wrap them in a helper the page does not have)
  const raw = await page.evaluate(() => {
    const b = (window as unknown as { __bench: { tasks: { start: number; duration: number }[]; click: number; select: number; overlay: number | null } }).__bench;
    const marks: Record<string, number> = {};
    for (const m of performance.getEntriesByType('mark')) marks[m.name] = m.startTime;
    return { ...b, marks, now: performance.now() };
  });
  console.log(`  since the series click: whole-series pass ${(raw.marks['lunglens:series-prepared'] - raw.select).toFixed(0)} ms, models warm ${(raw.marks['lunglens:warm'] - raw.select).toFixed(0)} ms`);
  const at = (name: string): number | null => (raw.marks[`lunglens:${name}`] === undefined ? null : raw.marks[`lunglens:${name}`] - raw.click);
  const done = raw.marks['lunglens:analysis-done'] ?? raw.now;
  const during = raw.tasks.filter((t) => t.start + t.duration >= raw.click && t.start <= done);
  const times: AppTimes = {
    totalMs: done - raw.click,
    preparedMs: at('prepared'),
    firstResultMs: at('first-result'),
    firstOverlayMs: raw.overlay === null ? null : raw.overlay - raw.click,
    longestTaskMs: Math.max(0, ...during.map((t) => t.duration)),
    longTasks: during.length,
    longestSinceSelectMs: Math.max(0, ...raw.tasks.filter((t) => t.start + t.duration >= raw.select && t.start <= done).map((t) => t.duration)),
  };
  return { times, openMs, readyMs, summary: report.summary, status };
}

function cliRun(dir: string): Promise<{ ms: number; peak: number; summary: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/lunglens.mjs'), 'analyze', dir, '--json', '--series-only'], { cwd: repoRoot });
    let out = '';
    let peak = 0;
    const timer = setInterval(() => { peak = Math.max(peak, treeRss(child.pid!)); }, 100);
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      clearInterval(timer);
      // 1 = some input failed: the folders hold notes beside the DICOM (069.xml, ATTRIBUTION), named as errors
      const rec = code === 0 || code === 1 ? (JSON.parse(out) as { summary?: Record<string, unknown> }[]).find((r) => r.summary) : undefined;
      if (!rec) return reject(new Error(`CLI exited ${code} without a series record`));
      resolve({ ms: Date.now() - t0, peak, summary: rec?.summary ?? {} });
    });
  });
}

const numbers = (s: Record<string, unknown>): string => {
  const sev = s.severity as { label?: string } | null;
  return `${s.lungVolumeMl} (L ${s.leftLungVolumeMl} / R ${s.rightLungVolumeMl}) | ${s.infectionPercentOfLung} | ${s.regressionPercentMean} / ${s.regressionPercentMax} | ${sev?.label ?? '—'} | ${(s.lesions as unknown[] | undefined)?.length ?? 0}`;
};

const arg = (name: string): string | undefined => {
  const k = process.argv.indexOf(name);
  return k < 0 ? undefined : process.argv[k + 1];
};
const secs = (ms: number | null): string => (ms === null ? 'n/a' : (ms / 1000).toFixed(1));

async function main(): Promise<void> {
  // --series a,b: only these; --no-build: reuse bench/tmp/dist-study from an earlier run (kept then)
  const series = arg('--series')?.split(',') ?? SERIES;
  const reuse = process.argv.includes('--no-build');
  const outDir = path.join(repoRoot, 'bench/tmp/dist-study');
  if (!reuse || !existsSync(outDir)) await sh('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error']);
  const server = await startPreview(outDir, 4396);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const rows: string[] = [];
  const results: string[] = [];
  const ratios: string[] = [];
  try {
    const page = await browser.newPage();
    await page.addInitScript(instrumentPage);
    await page.goto(`${server.base}/?backend=wasm`);
    await page.getByTestId('backend-badge').filter({ hasText: /CPU|WASM|WebGPU/ }).waitFor({ timeout: 300_000 });
    const badge = (await page.getByTestId('backend-badge').textContent()) ?? '';
    for (const name of series) {
      const dir = path.join(dataRoot, 'ct-series', name);
      const n = filesOf(dir).length;
      const browserRss = () => treeRss(process.pid, /chrom/i);
      const before = browserRss();
      const app = await peakDuring(browserRss, () => appRun(page, server.base, dir));
      const cli = await cliRun(dir);
      const t = app.result.times;
      const a = app.result;
      console.log(`${name}: app ${JSON.stringify(t)}, open→ready ${a.readyMs} ms, open→done ${a.openMs} ms; CLI ${cli.ms} ms`);
      rows.push(`| ${name} (${n} slices) | app, ${badge} | ${a.status} | ${secs(a.openMs)} | ${secs(a.readyMs)} | ${secs(t.totalMs)} | ${secs(t.firstOverlayMs)} | ${t.longestTaskMs.toFixed(0)} (${t.longTasks}) | ${t.longestSinceSelectMs.toFixed(0)} | ${mb(app.peak - before)} (browser ${mb(app.peak)}) |`);
      rows.push(`| ${name} (${n} slices) | CLI, onnxruntime-node | done | ${secs(cli.ms)} | | | | | | ${mb(cli.peak)} |`);
      ratios.push(`| ${name} | ${secs(a.openMs)} | ${secs(cli.ms)} | **${(a.openMs / cli.ms).toFixed(2)}** |`);
      results.push(`| ${name} | app | ${numbers(a.summary)} |`, `| ${name} | CLI | ${numbers(cli.summary)} |`);
      if (numbers(app.result.summary) !== numbers(cli.summary)) console.error(`${name}: the app's series numbers differ from the CLI's`);
    }
  } finally {
    await browser.close();
    server.stop();
    if (!reuse) rmSync(outDir, { recursive: true, force: true });
  }
  const text = [
    '# Whole-study benchmark',
    '',
    `${new Date().toISOString()} · ${os.cpus().length} cores · Chromium headless (Debian) · \`npx tsx bench/studyBench.ts\``,
    '',
    'App (Debian Chromium, headless, WASM): **whole study** = from handing the folder\'s files to the page to done: reading',
    'the headers, showing the series, the whole-series pass (every slice read for the 3-D lungs) and the models\' warm-up,',
    'which start as soon as the series is shown, then the models on every assessed slice; the bench presses "Analyse"',
    'when the app is ready (**ready**). **Analyse → done** and **first overlay** (the slice on screen has its overlay)',
    'from the click. **Longest task**: PerformanceObserver `longtask` entries (> 50 ms) of the page\'s main thread',
    'from the click to done (count in brackets), and from the click on the series to done. CLI (`lunglens analyze <folder> --series-only`): from process start',
    'to exit (reading the headers, model loading, both passes). Memory: peak resident set (app: all browser processes,',
    'increase over the run; CLI: the process).',
    '',
    '| series | where | status | whole study (s) | ready (s) | Analyse → done (s) | first overlay (s) | longest main-thread task, Analyse → done, ms (long tasks) | longest task, series shown → done, ms | peak memory (MiB) |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    '## Browser / native, whole study (same run)',
    '',
    '| series | app (s) | CLI (s) | app / CLI |',
    '|---|---:|---:|---:|',
    ...ratios,
    '',
    '## Series numbers (same run)',
    '',
    '| series | where | lung volume mL (left / right) | infection % of lung | regression mean / max % | severity | lesions |',
    '|---|---|---|---:|---|---|---:|',
    ...results,
    '',
  ].join('\n');
  console.log(text);
  writeFileSync(path.join(repoRoot, 'bench/study-results.md'), text);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
