// npm run bench: per model in models/manifest.json (the runtime test models while none is bundled):
// load time, first-run (warm-up) time and steady per-image latency on ORT-WASM and ORT-WebGPU in
// Debian Chromium (driven by Playwright, through the real inference worker), TFJS backends for
// tfjs-format models, and native onnxruntime-node in this same process; writes bench/results.md.
// Run counts are bounded so the whole bench takes a few minutes on 2 shared cores.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';
import { parseManifest, inputDims, type Manifest, type ModelEntry } from '../src/core/runtime/manifest.ts';
import { createNodeAnalysisContext } from '../src/core/runtime/nodeContext.ts';
import type { BackendPref } from '../src/core/runtime/engine.ts';
import { engineComparison } from './engineComparison.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(repo, 'bench/tmp/dist');
const port = 4393;
const base = `http://127.0.0.1:${port}`;
const RUNS: Record<string, number> = { wasm: 20, webgpu: 5, webgl: 10, cpu: 5, native: 20 };
/** Runs after the first one and before the steady ones, on WASM and native (see benchBrowser). */
const WARM_RUNS = 10;
/** Steady runs stop early once they used this much time (SwiftShader WebGPU can be very slow). */
const STEADY_BUDGET_MS = 20_000;

interface Row {
  model: string;
  /** Model whose native run is the baseline: itself, or the ONNX original of a TFJS variant. */
  baseline: string;
  backend: string;
  detail: string;
  loadMs: number;
  firstRunMs: number;
  steadyMs: number;
  runs: number;
}

function sh(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
}

async function waitForServer(url: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`server ${url} did not start`);
}

function pickModels(): { manifest: Manifest; dir: string; url: string; note: string } {
  const real = parseManifest(JSON.parse(readFileSync(path.join(repo, 'models/manifest.json'), 'utf8')));
  if (real.models.length) return { manifest: real, dir: path.join(repo, 'models'), url: '/models/manifest.json', note: 'bundled models (models/manifest.json)' };
  const dir = path.join(repo, 'e2e/fixtures/runtime');
  const test = parseManifest(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
  test.models = test.models.filter((m) => ['tiny-fp32', 'tiny-int8', 'tiny-tfjs'].includes(m.id));
  return { manifest: test, dir, url: '/e2e/fixtures/runtime/manifest.json', note: 'no bundled model yet: the runtime test models (32x32 conv net)' };
}

/** `--backends wasm,native` (any of wasm, webgpu, webgl, native, tfjs) runs only those, e.g. while profiling. */
const backendsArg = process.argv.indexOf('--backends');
const only = backendsArg < 0 ? null : new Set(process.argv[backendsArg + 1].split(','));

function browserPrefs(m: ModelEntry): BackendPref[] {
  if (m.format === 'tfjs' && only && !only.has('tfjs')) return [];
  const prefs: BackendPref[] = m.format === 'onnx' ? ['wasm', 'webgpu'] : ['webgpu', 'webgl', 'wasm'];
  return prefs.filter((p) => !only || only.has(p) || m.format === 'tfjs');
}

async function benchBrowser(page: Page, manifestUrl: string, m: ModelEntry, pref: BackendPref): Promise<Row | null> {
  const key = `${m.id}:${pref}`;
  const init = await page.evaluate(([k, u, p]) => window.runtimeTest.start(k, u, p as BackendPref), [key, manifestUrl, pref] as const);
  const engine = init.backend.engines.find((e) => e.engine === (m.format === 'onnx' ? 'ort-web' : 'tfjs'));
  if (!engine) return null;
  // Ask for a backend the device lacks (e.g. webgl without GPU) → the engine falls back; skip duplicates.
  if (pref !== 'wasm' && !engine.backend.startsWith(pref)) return null;
  const runs = RUNS[engine.backend] ?? 5;
  const timeIt = (n: number) => page.evaluate(
    ([k, id, name, dims, count, budget]) => window.runtimeTest.time(k, id as string, name as string, dims as number[], count as number, budget as number),
    [key, m.id, m.input.name, inputDims(m.input), n, STEADY_BUDGET_MS] as const,
  );
  // WASM: V8 moves the runtime's hot kernels to optimised code only after they ran a while, so "steady" is
  // measured after WARM_RUNS more runs (native gets the same), as the app's warm-up does before "Analyse".
  const warm = engine.backend === 'wasm' ? await timeIt(WARM_RUNS) : null;
  const t = { ...(await timeIt(runs)), ...(warm ? { loadMs: warm.loadMs, firstRunMs: warm.firstRunMs } : {}) };
  const engineName = m.format === 'onnx' ? 'ORT-web' : 'TFJS';
  return { model: m.id, baseline: m.variantOf ?? m.id, backend: `${engineName} ${t.backend}`, detail: engine.description, loadMs: t.loadMs, firstRunMs: t.firstRunMs, steadyMs: t.steadyMs, runs: t.runs };
}

async function benchNative(dir: string, m: ModelEntry): Promise<Row | null> {
  if (m.format !== 'onnx' || (only && !only.has('native'))) return null;
  const threads = Math.max(1, Math.min(4, os.availableParallelism()));
  const ctx = await createNodeAnalysisContext(dir, { threads });
  try {
    const dims = inputDims(m.input);
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37);
    const t0 = performance.now();
    const s = await ctx.getSession(m.id);
    const t1 = performance.now();
    await s.run({ [m.input.name]: { data, dims } });
    const t2 = performance.now();
    for (let i = 0; i < WARM_RUNS; i++) await s.run({ [m.input.name]: { data, dims } });
    const times: number[] = [];
    const start = performance.now();
    for (let i = 0; i < RUNS.native && performance.now() - start < STEADY_BUDGET_MS; i++) {
      const a = performance.now();
      await s.run({ [m.input.name]: { data, dims } });
      times.push(performance.now() - a);
    }
    times.sort((a, b) => a - b);
    return { model: m.id, baseline: m.id, backend: 'onnxruntime-node (native)', detail: `CPU, ${threads} thread${threads === 1 ? '' : 's'}`, loadMs: t1 - t0, firstRunMs: t2 - t1, steadyMs: times[Math.floor(times.length / 2)], runs: times.length };
  } finally {
    await ctx.release();
  }
}

const variantOfMap = (m: Manifest) => new Map(m.models.filter((e) => e.variantOf).map((e) => [e.id, e.variantOf!]));

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

function table(rows: Row[], variantOf: ReadonlyMap<string, string> = new Map()): string {
  const native = new Map(rows.filter((r) => r.backend.startsWith('onnxruntime-node')).map((r) => [r.model, r.steadyMs]));
  const lines = [
    '| model | backend | device | load ms | first run ms | steady ms/image (median) | runs | browser / native |',
    '|---|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const nat = native.get(r.model) ?? native.get(variantOf.get(r.model) ?? ''); // a TFJS variant vs its ONNX original
    const ratio = r.backend.startsWith('onnxruntime-node') ? '1.0 (baseline)' : nat ? `${(r.steadyMs / nat).toFixed(1)}x` : 'n/a';
    lines.push(`| ${r.model} | ${r.backend} | ${r.detail} | ${fmt(r.loadMs)} | ${fmt(r.firstRunMs)} | ${fmt(r.steadyMs)} | ${r.runs} | ${ratio} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { manifest, dir, url, note } = pickModels();
  console.log(`bench: ${manifest.models.length} model(s), ${note}`);
  if (!process.argv.includes('--no-build') || !existsSync(outDir)) {
    console.log('bench: building into bench/tmp/dist ...');
    await sh('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error']);
  }
  // With --no-build the served copy may predate the repo's manifest: bench only what the browser can load.
  const served = path.join(outDir, url.slice(1));
  const servedIds = new Set(existsSync(served) ? (JSON.parse(readFileSync(served, 'utf8')) as Manifest).models.map((m) => m.id) : []);
  const stale = manifest.models.filter((m) => !servedIds.has(m.id)).map((m) => m.id);
  if (stale.length) console.log(`bench: not in the built copy, skipped (run without --no-build): ${stale.join(', ')}`);
  manifest.models = manifest.models.filter((m) => servedIds.has(m.id));
  let server: ChildProcess | null = null;
  const startServer = async () => {
    server = spawn('npx', ['vite', 'preview', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: repo, stdio: 'ignore', detached: true });
    await waitForServer(`${base}/e2e/fixtures/runtime/runtime-test.html`);
  };
  // The machine is shared: if the preview server went away mid-bench, start it again.
  const ensureServer = async () => {
    try {
      if ((await fetch(`${base}/e2e/fixtures/runtime/runtime-test.html`)).ok) return;
    } catch { /* down */ }
    console.log('  (preview server gone: restarting)');
    if (server?.pid) try { process.kill(-server.pid); } catch { /* already gone */ }
    await startServer();
  };
  const rows: Row[] = [];
  let chromiumVersion = '';
  try {
    await startServer();
    const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    chromiumVersion = browser.version();
    try {
      for (const m of manifest.models) {
        for (const pref of browserPrefs(m)) {
          // a fresh page per (model, backend): its own worker, cold session, Cache API warm after the first
          const page = await browser.newPage();
          try {
            await ensureServer();
            await page.goto(`${base}/e2e/fixtures/runtime/runtime-test.html`);
            await page.waitForFunction(() => 'runtimeTest' in window);
            const row = await benchBrowser(page, url, m, pref);
            if (row) { rows.push(row); console.log(`  ${row.model} · ${row.backend}: steady ${fmt(row.steadyMs)} ms`); }
          } catch (e) {
            console.log(`  ${m.id} · ${pref}: FAILED ${(e as Error).message.split('\n')[0]}`);
          } finally {
            await page.close();
          }
        }
        const nat = await benchNative(dir, m);
        if (nat) { rows.push(nat); console.log(`  ${nat.model} · native: steady ${fmt(nat.steadyMs)} ms`); }
      }
    } finally {
      await browser.close();
    }
  } finally {
    const pid = (server as ChildProcess | null)?.pid;
    if (pid) try { process.kill(-pid); } catch { /* already gone */ }
  }
  const md = [
    '# Runtime benchmark',
    '',
    `Generated by \`npm run bench\` (bench/runtimeBench.ts) on ${new Date().toISOString().slice(0, 16)}Z — ${note}.`,
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores shared with other jobs, Node ${process.version}, Chromium ${chromiumVersion}.`,
    '',
    '- **load**: in a fresh inference worker: ORT runtime init (compiling the ~27 MB WASM binary, most of the',
    '  browser figure for tiny models) + model download (or Cache API hit) + SHA-256 check + session creation.',
    '- **first run**: the first inference (shader compilation / kernel warm-up). **steady**: median of the next runs',
    `  (at most ${RUNS.wasm} on WASM, ${RUNS.webgpu} on WebGPU, stopped after ${STEADY_BUDGET_MS / 1000} s), input copied in and outputs copied out of the worker;`,
    `  on WASM and native after ${WARM_RUNS} more warm-up runs (V8 optimises the WASM runtime's hot kernels only after they ran a while).`,
    '- Both ONNX Runtimes run with the same session options (`src/core/runtime/ortSessionOptions.ts`: int8 weights',
    '  dequantised once at session creation, no spinning pool threads).',
    '- **WebGPU here is SwiftShader, a software adapter** (no GPU on this machine): it measures correctness plumbing, not GPU speed;',
    '  on a real GPU expect WebGPU to beat WASM for the larger models.',
    '- **browser / native** = steady browser latency ÷ steady onnxruntime-node latency for the same model, same thread count',
    '  (for a TFJS variant: its ONNX original, `variantOf`).',
    '',
    table(rows, variantOfMap(manifest)),
    '',
    engineComparison(manifest, rows),
    '',
  ].join('\n');
  writeFileSync(path.join(repo, 'bench/results.md'), md);
  console.log('\n' + table(rows, variantOfMap(manifest)) + '\n\n' + engineComparison(manifest, rows) + '\n\nwrote bench/results.md');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
