// Part of `npm run bench`: where the browser/native gap of each bundled ONNX model comes from, at ONE thread
// (what each of the app's two inference workers runs on a 2-core machine: src/worker/inference/inferencePool.ts).
// Per model, steady median ms of: the app's inference worker in Chromium (message round trip, and the session's
// run alone inside the worker), onnxruntime-web's WASM build in Node (the same engine, no browser), and native
// onnxruntime-node. The WASM-in-Node / native ratio is the engine's own floor: no change in the app can go below it.
// Writes bench/wasm-floor-results.md.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../playwright.config.ts';
import { inputDims, modelFile, parseManifest, type ModelEntry } from '../src/core/runtime/manifest.ts';
import { createNodeAnalysisContext } from '../src/core/runtime/nodeContext.ts';
import { ORT_SESSION_CONFIG } from '../src/core/runtime/ortSessionOptions.ts';
import type { Tensor } from '../src/core/runtime/tensor.ts';
import { repoRoot, sh, startPreview } from './support/previewServer.ts';

const WARM = 10;
const RUNS = 20;
const outDir = path.join(repoRoot, 'bench/tmp/dist-floor');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

function input(m: ModelEntry): Tensor {
  const dims = inputDims(m.input);
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37);
  return { data, dims };
}

/** Steady median of `run` after WARM runs (V8 tiers the WASM kernels up only after they ran a while). */
async function steady(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARM; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function browserOneThread(page: Page, m: ModelEntry): Promise<{ roundTripMs: number; inWorkerMs: number; detail: string }> {
  const key = `${m.id}:floor`;
  const init = await page.evaluate(([k]) => window.runtimeTest.start(k, '/models/manifest.json', 'wasm', 1), [key] as const);
  const detail = init.backend.engines.find((e) => e.engine === 'ort-web')?.description ?? '?';
  const time = (n: number) => page.evaluate(
    ([k, id, name, dims, count]) => window.runtimeTest.time(k, id as string, name as string, dims as number[], count as number),
    [key, m.id, m.input.name, inputDims(m.input), n] as const,
  );
  await time(WARM);
  const t = await time(RUNS);
  return { roundTripMs: t.steadyMs, inWorkerMs: t.inWorkerMs, detail };
}

async function wasmInNode(m: ModelEntry): Promise<number> {
  const ort = await import('onnxruntime-web/wasm');
  ort.env.wasm.numThreads = 1;
  const bytes = new Uint8Array(readFileSync(path.join(repoRoot, 'models', modelFile(m).path)));
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', extra: ORT_SESSION_CONFIG });
  const x = input(m);
  const feeds = { [m.input.name]: new ort.Tensor('float32', x.data, x.dims) };
  try {
    return await steady(() => session.run(feeds));
  } finally {
    await session.release();
  }
}

async function nativeOneThread(m: ModelEntry): Promise<number> {
  const ctx = await createNodeAnalysisContext(path.join(repoRoot, 'models'), { threads: 1 });
  try {
    const s = await ctx.getSession(m.id);
    const x = input(m);
    return await steady(() => s.run({ [m.input.name]: { data: x.data.slice(), dims: x.dims } }));
  } finally {
    await ctx.release();
  }
}

async function main(): Promise<void> {
  const manifest = parseManifest(JSON.parse(readFileSync(path.join(repoRoot, 'models/manifest.json'), 'utf8')));
  const models = manifest.models.filter((m) => m.format === 'onnx');
  if (!process.argv.includes('--no-build')) await sh('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error']);
  const server = await startPreview(outDir, 4398);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const chromiumVersion = browser.version();
  const rows: string[] = [];
  try {
    for (const m of models) {
      const page = await browser.newPage();
      try {
        await page.goto(`${server.base}/e2e/fixtures/runtime/runtime-test.html`);
        await page.waitForFunction(() => 'runtimeTest' in window);
        const b = await browserOneThread(page, m);
        const node = await wasmInNode(m);
        const native = await nativeOneThread(m);
        console.log(`  ${m.id}: browser ${fmt(b.roundTripMs)} (in worker ${fmt(b.inWorkerMs)}), WASM in Node ${fmt(node)}, native ${fmt(native)} ms`);
        rows.push(`| ${m.id} | ${fmt(b.roundTripMs)} | ${fmt(b.inWorkerMs)} | ${fmt(node)} | ${fmt(native)} | ${(b.inWorkerMs / native).toFixed(1)}x | ${(b.roundTripMs / native).toFixed(1)}x | **${(node / native).toFixed(1)}x** |`);
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    server.stop();
  }
  const md = [
    '# WASM vs native, one thread: where each model\'s gap comes from',
    '',
    `Generated by \`npx tsx bench/wasmFloorBench.ts\` (part of \`npm run bench\`) on ${new Date().toISOString().slice(0, 16)}Z.`,
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}, Chromium ${chromiumVersion}.`,
    '',
    'Steady median ms per image after 10 warm-up runs, one thread everywhere (each of the app\'s two inference',
    'workers on a 2-core machine runs one). Same model files and session options (`ortSessionOptions.ts`).',
    '',
    '- **browser, round trip**: `runModel` through the app\'s inference worker in Chromium, as the runtime bench measures it;',
    '- **browser, in worker**: the session\'s run alone, timed inside the worker;',
    '- **WASM in Node**: onnxruntime-web\'s plain WASM build run by Node: the same engine without the browser;',
    '- **native**: onnxruntime-node (the CLI).',
    '',
    'The last column is the engine\'s floor: ONNX Runtime\'s WASM kernels (128-bit SIMD, no FMA, no blocked NCHWc',
    'convolution layout) against its native AVX2/FMA kernels. No change in the app reaches below it.',
    '',
    '| model | browser, round trip | browser, in worker | WASM in Node | native | in worker / native | round trip / native | WASM in Node / native |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(path.join(repoRoot, 'bench/wasm-floor-results.md'), md);
  console.log('\n' + md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
