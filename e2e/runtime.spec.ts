import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tinyModelInput } from './support/tinyModelInput.ts';

// The same tiny models (tools/testModels/make_test_models.py), the same input, inside the inference
// worker, on WebGPU (SwiftShader software adapter) and on WASM. Tolerance: max |WebGPU - WASM| and
// max |ORT - torch| <= 1e-4 on outputs of magnitude ~0.1-1. Both are float32 with different
// accumulation order / FMA use (expected error ~1e-6); a wrong layout, weight or dequantization
// scale shows up as >= 1e-2, so 1e-4 catches real bugs with a wide margin over rounding noise.
const TOL = 1e-4;

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/runtime');
const ref = JSON.parse(readFileSync(path.join(fixtures, 'reference.json'), 'utf8')) as {
  input8: number[];
  dims: number[];
  [model: string]: unknown;
};
const input = tinyModelInput(fixtures, ref.input8);

function maxDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

async function openPage(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/e2e/fixtures/runtime/runtime-test.html');
  await page.waitForFunction(() => 'runtimeTest' in window);
  return errors;
}

test('same model, same input: WebGPU and WASM agree with each other and with torch (fp32 and int8)', async ({ page }) => {
  const errors = await openPage(page);
  expect(await page.evaluate(() => window.runtimeTest.crossOriginIsolated())).toBe(true);

  const gpuInit = await page.evaluate(() => window.runtimeTest.start('gpu', './manifest.json', 'webgpu'));
  const cpuInit = await page.evaluate(() => window.runtimeTest.start('cpu', './manifest.json', 'wasm'));
  const gpuBadge = gpuInit.backend.engines.find((e) => e.engine === 'ort-web')!;
  const cpuBadge = cpuInit.backend.engines.find((e) => e.engine === 'ort-web')!;
  expect(gpuBadge.backend).toBe('webgpu');
  expect(gpuBadge.description).toMatch(/^WebGPU · .*\(software adapter/); // SwiftShader is flagged
  expect(cpuBadge).toMatchObject({ backend: 'wasm' });
  expect(cpuBadge.description).toMatch(/^CPU \(WASM, [1-4] threads?\)$/);
  console.log(`badges: "${gpuBadge.description}" | "${cpuBadge.description}"`);

  for (const id of ['tiny-fp32', 'tiny-int8']) {
    const gpu = await page.evaluate(([i, d]) => window.runtimeTest.run('gpu', i as string, 'image', d as number[], [1, 1, 32, 32]), [id, input] as const);
    const cpu = await page.evaluate(([i, d]) => window.runtimeTest.run('cpu', i as string, 'image', d as number[], [1, 1, 32, 32]), [id, input] as const);
    expect(gpu.backend).toBe('webgpu');
    expect(cpu.backend).toBe('wasm');
    const torch = ref[id] as { logits: number[]; mask: number[] };
    for (const out of ['logits', 'mask'] as const) {
      const gw = maxDiff(gpu.outputs[out].data, cpu.outputs[out].data);
      const gt = maxDiff(gpu.outputs[out].data, torch[out]);
      const wt = maxDiff(cpu.outputs[out].data, torch[out]);
      console.log(`${id}.${out}: |webgpu-wasm| ${gw.toExponential(2)}, |webgpu-torch| ${gt.toExponential(2)}, |wasm-torch| ${wt.toExponential(2)}`);
      expect(gw).toBeLessThanOrEqual(TOL);
      expect(gt).toBeLessThanOrEqual(TOL);
      expect(wt).toBeLessThanOrEqual(TOL);
    }
    expect(gpu.outputs.mask.dims).toEqual([1, 1, 16, 16]);
  }
  // int8 weights really are in use: its outputs differ from fp32's by more than the tolerance
  const f = ref['tiny-fp32'] as { mask: number[] };
  const q = ref['tiny-int8'] as { mask: number[] };
  expect(maxDiff(f.mask, q.mask)).toBeGreaterThan(TOL);

  // download progress reached the full size of each model file
  const progress = await page.evaluate(() => window.runtimeTest.progress('cpu'));
  const done = progress.filter((p) => p.loadedBytes === p.totalBytes).map((p) => p.path);
  expect(done).toEqual(expect.arrayContaining(['tiny-fp32/model.onnx', 'tiny-int8/model.onnx']));
  // a second worker (as on a second visit) reads the verified copy from the Cache API: no download
  await page.evaluate(() => window.runtimeTest.start('again', './manifest.json', 'wasm'));
  await page.evaluate((d) => window.runtimeTest.run('again', 'tiny-fp32', 'image', d, [1, 1, 32, 32]), input);
  const again = await page.evaluate(() => window.runtimeTest.progress('again'));
  expect(again.filter((p) => p.path === 'tiny-fp32/model.onnx').map((p) => p.fromCache)).toEqual([true]);
  expect(errors).toEqual([]);
});

test('tampered model refused, missing file named, bad manifest names the field', async ({ page }) => {
  await openPage(page);
  await page.evaluate(() => window.runtimeTest.start('cpu', './manifest.json', 'wasm'));
  const tampered = await page.evaluate(() => window.runtimeTest.failureOf('cpu', 'tiny-tampered'));
  expect(tampered?.name).toBe('ModelIntegrityError');
  expect(tampered?.message).toMatch(/^Refused model file tiny-tampered\/model\.onnx: SHA-256 [0-9a-f]{64} does not match/);
  const missing = await page.evaluate(() => window.runtimeTest.failureOf('cpu', 'tiny-missing'));
  expect(missing?.name).toBe('ModelFileMissingError');
  expect(missing?.message).toMatch(/^Model file missing: tiny-missing\/model\.onnx \(HTTP 404/);
  const bad = await page.evaluate(() =>
    window.runtimeTest.start('bad', './bad-manifest.json', 'wasm').then(() => null, (e: Error) => ({ name: e.name, message: e.message })),
  );
  expect(bad?.name).toBe('ManifestError');
  expect(bad?.message).toContain('models[0].input.height: expected positive integer, got 0');
});

test('WebGPU device lost: the same request finishes on WASM and the user is told once', async ({ page }) => {
  await openPage(page);
  await page.evaluate(() => window.runtimeTest.start('gpu', './manifest.json', 'auto'));
  const before = await page.evaluate((d) => window.runtimeTest.run('gpu', 'tiny-fp32', 'image', d, [1, 1, 32, 32]), input);
  expect(before.backend).toBe('webgpu');
  expect(await page.evaluate(() => window.runtimeTest.simulateGpuLoss('gpu'))).toBe(true);
  const after = await page.evaluate((d) => window.runtimeTest.run('gpu', 'tiny-fp32', 'image', d, [1, 1, 32, 32]), input);
  expect(after.backend).toBe('wasm');
  expect(maxDiff(after.outputs.logits.data, (ref['tiny-fp32'] as { logits: number[] }).logits)).toBeLessThanOrEqual(TOL);
  // a second model after the loss goes straight to WASM, without a second notice
  const again = await page.evaluate((d) => window.runtimeTest.run('gpu', 'tiny-int8', 'image', d, [1, 1, 32, 32]), input);
  expect(again.backend).toBe('wasm');
  const notices = await page.evaluate(() => window.runtimeTest.notices('gpu'));
  expect(notices).toHaveLength(1);
  expect(notices[0]).toMatchObject({ kind: 'backend-fallback', from: 'webgpu', to: 'wasm' });
  expect(notices[0].reason).toMatch(/device lost/i);
  const info = await page.evaluate(() => window.runtimeTest.backendInfo('gpu'));
  expect(info.engines.find((e) => e.engine === 'ort-web')?.backend).toBe('wasm');
});

test('TFJS graph model: webgpu, webgl and cpu backends agree with torch inside the worker', async ({ page }) => {
  const errors = await openPage(page);
  const nhwc = input; // 1 channel: NCHW and NHWC orders coincide
  const torch = (ref['tiny-tfjs'] as { y: number[] }).y;
  const seen: string[] = [];
  for (const pref of ['webgpu', 'webgl', 'wasm'] as const) {
    const init = await page.evaluate((p) => window.runtimeTest.start(`tfjs-${p}`, './manifest.json', p), pref);
    const badge = init.backend.engines.find((e) => e.engine === 'tfjs')!;
    const out = await page.evaluate(([k, d]) => window.runtimeTest.run(k, 'tiny-tfjs', 'image', d, [1, 32, 32, 1]), [`tfjs-${pref}`, nhwc] as const);
    console.log(`tfjs ${pref}: backend ${out.backend} (${badge.description}), |tfjs-torch| ${maxDiff(out.outputs.y.data, torch).toExponential(2)}`);
    expect(out.outputs.y.dims).toEqual([1, 32, 32, 4]);
    // webgl computes in float32 textures here; 1e-4 as for ORT
    expect(maxDiff(out.outputs.y.data, torch)).toBeLessThanOrEqual(TOL);
    seen.push(out.backend);
  }
  expect(seen).toEqual(['webgpu', 'webgl', 'cpu']);
  expect(errors).toEqual([]);
});
