// Whole-study benchmark: each shared real CT series (../shared/data/ct-series) analysed as one series,
// in the app (Debian Chromium, WASM, through the UI: 3-D lungs, then every slice) and in the CLI
// (`lunglens analyze <folder> --series-only`), in one run. Time from "Analyse" to done (app) or process start
// to exit (CLI), and peak memory: the summed resident set of the browser's processes (renderer, workers,
// GPU) over the run, minus before it, and the CLI process' peak resident set. Sampled every 100 ms from
// /proc (Linux). Writes bench/study-results.md with the series numbers of both.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

async function appRun(page: Page, base: string, dir: string): Promise<{ ms: number; summary: Record<string, unknown>; status: string }> {
  await page.goto(`${base}/?backend=wasm`);
  await page.getByTestId('file-input').setInputFiles(filesOf(dir));
  await page.getByTestId('series-item').first().click();
  const t0 = Date.now();
  await page.getByTestId('run-analysis').click();
  await page.getByTestId('analysis-status').filter({ hasText: /^(done|error.*)$/ }).waitFor({ timeout: 3_600_000 });
  const ms = Date.now() - t0;
  const status = (await page.getByTestId('analysis-status').textContent()) ?? '';
  const report = JSON.parse((await page.getByTestId('report-json').textContent()) ?? '{}');
  return { ms, summary: report.summary, status };
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

async function main(): Promise<void> {
  const outDir = path.join(repoRoot, 'bench/tmp/dist-study');
  await sh('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir']);
  const server = await startPreview(outDir, 4396);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const rows: string[] = [];
  const results: string[] = [];
  try {
    const page = await browser.newPage();
    await page.goto(`${server.base}/?backend=wasm`);
    await page.getByTestId('backend-badge').filter({ hasText: /CPU|WASM|WebGPU/ }).waitFor({ timeout: 300_000 });
    const badge = (await page.getByTestId('backend-badge').textContent()) ?? '';
    for (const name of SERIES) {
      const dir = path.join(dataRoot, 'ct-series', name);
      const n = filesOf(dir).length;
      const browserRss = () => treeRss(process.pid, /chrom/i);
      const before = browserRss();
      const app = await peakDuring(browserRss, () => appRun(page, server.base, dir));
      const cli = await cliRun(dir);
      rows.push(`| ${name} (${n} slices) | app, ${badge} | ${app.result.status} | ${(app.result.ms / 1000).toFixed(1)} | ${(app.result.ms / n).toFixed(0)} | ${mb(app.peak - before)} (browser ${mb(app.peak)}) |`);
      rows.push(`| ${name} (${n} slices) | CLI, onnxruntime-node | done | ${(cli.ms / 1000).toFixed(1)} | ${(cli.ms / n).toFixed(0)} | ${mb(cli.peak)} |`);
      results.push(`| ${name} | app | ${numbers(app.result.summary)} |`, `| ${name} | CLI | ${numbers(cli.summary)} |`);
    }
  } finally {
    await browser.close();
    server.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
  const text = [
    '# Whole-study benchmark',
    '',
    `${new Date().toISOString()} · ${os.cpus().length} cores · Chromium headless (Debian) · \`npx tsx bench/studyBench.ts\``,
    '',
    'Time: app from "Analyse" to done (reading every slice for the 3-D lungs, then the models slice by slice);',
    'CLI from process start to exit (model loading included). Memory: peak resident set (app: all browser',
    'processes, increase over the run; CLI: the process).',
    '',
    '| series | where | status | total (s) | per slice (ms) | peak memory (MiB) |',
    '|---|---|---|---:|---:|---:|',
    ...rows,
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
