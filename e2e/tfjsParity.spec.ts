import { expect, test, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifest, type ModelEntry } from '../src/core/runtime/manifest.ts';
import { onnxToTfjs } from '../tools/onnx2tfjs/onnxToTfjs.ts';
import { tinyModelInput } from './support/tinyModelInput.ts';
import { checkPasses, decodedChecks, maxAbsDiff, parityInputs, showCheck } from '../tools/onnx2tfjs/parityInputs.ts';

// TFJS variants converted by tools/onnx2tfjs vs their ONNX originals, inside the inference worker:
// ORT (WASM) on the int8 ONNX file vs TFJS on the uint8 graph model, on WebGPU (SwiftShader software
// adapter) and on the cpu backend, on real images (../shared/data) preprocessed by the analyses' TS code.
// Tolerances:
// - ORT vs TFJS (either backend): decoded quantities within DECODED_TOLERANCE (tools/onnx2tfjs/
//   parityInputs.ts: CT % 1.5 points, probabilities 0.03, sigmoid maps 0.1 with >= 99.5 % identical mask
//   pixels) - the uint8 re-quantization of the weights, measured in Node <= 0.75 points / 0.075 / >= 99.7 %.
// - TFJS webgpu vs TFJS cpu on the same graph: raw outputs within 1e-3 x max(1, max|output|); both float32,
//   only the accumulation order differs (a wrong kernel, layout or padding gives >= 1e-2).
const GPU_VS_CPU = 1e-3;

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataRoot = path.resolve(repo, '../shared/data');
const manifest = parseManifest(JSON.parse(readFileSync(path.join(repo, 'models/manifest.json'), 'utf8')));
const variants = manifest.models.filter((m) => m.format === 'tfjs' && m.variantOf);

type Plain = { backend: string; outputs: Record<string, { data: number[]; dims: number[] }> };
const asTensor = (t: { data: number[]; dims: number[] }) => ({ data: Float32Array.from(t.data), dims: t.dims });

async function openPage(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/e2e/fixtures/runtime/runtime-test.html');
  await page.waitForFunction(() => 'runtimeTest' in window);
  return errors;
}

function run(page: Page, key: string, id: string, entry: ModelEntry, data: Float32Array, dims: number[]): Promise<Plain> {
  return page.evaluate(
    ([k, i, n, d, s]) => window.runtimeTest.run(k as string, i as string, n as string, d as number[], s as number[]),
    [key, id, entry.input.name, Array.from(data), dims] as const,
  );
}

test('bundled TFJS variants on WebGPU and cpu agree with ORT WASM on real images', async ({ page }) => {
  test.setTimeout(900_000); // SwiftShader WebGPU is ~50x slower than WASM
  expect(variants.length).toBeGreaterThanOrEqual(1);
  const errors = await openPage(page);
  await page.evaluate(() => window.runtimeTest.start('ort', '/models/manifest.json', 'wasm'));
  const gpuInit = await page.evaluate(() => window.runtimeTest.start('tfjs-gpu', '/models/manifest.json', 'webgpu'));
  await page.evaluate(() => window.runtimeTest.start('tfjs-cpu', '/models/manifest.json', 'wasm'));
  console.log(`tfjs badge: ${gpuInit.backend.engines.find((e) => e.engine === 'tfjs')?.description}`);

  for (const entry of variants) {
    const original = manifest.models.find((m) => m.id === entry.variantOf)!;
    for (const { label, tensor } of parityInputs(entry, dataRoot, 2)) {
      const ort = await run(page, 'ort', original.id, entry, tensor.data, tensor.dims);
      const gpu = await run(page, 'tfjs-gpu', entry.id, entry, tensor.data, tensor.dims);
      const cpu = await run(page, 'tfjs-cpu', entry.id, entry, tensor.data, tensor.dims);
      expect([ort.backend, gpu.backend, cpu.backend]).toEqual(['wasm', 'webgpu', 'cpu']);
      const lines: string[] = [];
      for (const o of entry.outputs) {
        expect(gpu.outputs[o.name].dims).toEqual(ort.outputs[o.name].dims);
        const scale = Math.max(1, ...ort.outputs[o.name].data.map(Math.abs));
        const gc = maxAbsDiff(gpu.outputs[o.name].data, cpu.outputs[o.name].data);
        expect(gc, `${o.name}: |tfjs webgpu - tfjs cpu| ${gc}`).toBeLessThanOrEqual(GPU_VS_CPU * scale);
        lines.push(`${o.name} |webgpu-cpu| ${gc.toExponential(1)}`);
        for (const [which, got] of [['webgpu', gpu], ['cpu', cpu]] as const) {
          for (const c of decodedChecks(o, asTensor(ort.outputs[o.name]), asTensor(got.outputs[o.name]))) {
            expect(checkPasses(c), `${entry.id} ${which}: ${showCheck(c)}`).toBe(true);
            if (which === 'webgpu') lines.push(`vs ORT: ${showCheck(c)}`);
          }
        }
      }
      console.log(`${entry.id} ${label}: ${lines.join('; ')}`);
    }
  }
  expect(errors).toEqual([]);
});

test('engine choice: the analyses\' model id runs on TFJS when chosen in settings', async ({ page }) => {
  await openPage(page);
  const init = await page.evaluate(() => window.runtimeTest.start('choice', '/models/manifest.json', 'wasm'));
  const original = variants[0].variantOf!;
  expect(init.engineChoices).toEqual(expect.arrayContaining([{ modelId: original, formats: ['onnx', 'tfjs'], chosen: 'onnx' }]));
  const entry = manifest.models.find((m) => m.id === original)!;
  const [{ tensor }] = parityInputs(entry, dataRoot, 1);
  const viaOnnx = await run(page, 'choice', original, entry, tensor.data, tensor.dims);
  const choices = await page.evaluate((id) => window.runtimeTest.setModelEngine('choice', id, 'tfjs'), original);
  expect(choices.find((c) => c.modelId === original)?.chosen).toBe('tfjs');
  const viaTfjs = await run(page, 'choice', original, entry, tensor.data, tensor.dims);
  const direct = await run(page, 'choice', variants[0].id, entry, tensor.data, tensor.dims);
  expect([viaOnnx.backend, viaTfjs.backend]).toEqual(['wasm', 'cpu']);
  expect(viaTfjs.outputs).toEqual(direct.outputs); // same session, same numbers
  for (const o of entry.outputs) expect(viaTfjs.outputs[o.name].data).not.toEqual(viaOnnx.outputs[o.name].data); // really another engine
});

test('bring-your-own TFJS model: validated in the worker, then runs by id on WebGPU', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = await openPage(page);
  const fixtures = path.join(repo, 'e2e/fixtures/runtime');
  const ref = JSON.parse(readFileSync(path.join(fixtures, 'reference.json'), 'utf8')) as { input8: number[]; 'tiny-fp32': { logits: number[]; mask: number[] } };
  const tiny = parseManifest(JSON.parse(readFileSync(path.join(fixtures, 'manifest.json'), 'utf8'))).models.find((m) => m.id === 'tiny-fp32')!;
  // What a user brings: the converter's output files + a manifest entry with their SHA-256.
  const { files } = onnxToTfjs(new Uint8Array(readFileSync(path.join(fixtures, 'tiny-fp32/model.onnx'))));
  const named: [string, Uint8Array][] = [['model.json', new TextEncoder().encode(JSON.stringify(files.modelJson))], ...files.shards.map((s) => [s.name, s.bytes] as [string, Uint8Array])];
  const b64 = Object.fromEntries(named.map(([n, b]) => [n, Buffer.from(b).toString('base64')]));
  const entry = {
    ...tiny, id: 'my-tiny-tfjs', format: 'tfjs', quantization: 'none', variantOf: 'tiny-fp32',
    files: named.map(([n, b], i) => ({ path: `my-tiny-tfjs/${n}`, sha256: createHash('sha256').update(b).digest('hex'), bytes: b.byteLength, role: i ? 'weights' : 'model' })),
  };
  await page.evaluate(() => window.runtimeTest.start('byom', './manifest.json', 'webgpu'));

  const bad = await page.evaluate(([e, f]) => window.runtimeTest.registerModel('byom', e, f as Record<string, string>), [{ ...entry, outputs: [{ name: 'logits', shape: [-1, 3], decode: 'nope' }] }, b64] as const);
  expect(bad).toMatchObject({ ok: false, name: 'ManifestError' });
  expect(bad.ok ? '' : bad.message).toContain('entry.outputs[0].decode: expected one of');
  const tampered = { ...b64, [named[1][0]]: Buffer.from(named[1][1].map((v, i) => (i === 7 ? v ^ 1 : v))).toString('base64') };
  const refused = await page.evaluate(([e, f]) => window.runtimeTest.registerModel('byom', e, f as Record<string, string>), [entry, tampered] as const);
  expect(refused).toMatchObject({ ok: false, name: 'ModelIntegrityError' });

  const ok = await page.evaluate(([e, f]) => window.runtimeTest.registerModel('byom', e, f as Record<string, string>), [entry, b64] as const);
  expect(ok).toMatchObject({ ok: true, model: { id: 'my-tiny-tfjs', format: 'tfjs', backend: 'webgpu', variantOf: 'tiny-fp32' } });
  const input = tinyModelInput(fixtures, ref.input8);
  const out = await page.evaluate((d) => window.runtimeTest.run('byom', 'my-tiny-tfjs', 'image', d, [1, 1, 32, 32]), input);
  expect(out.backend).toBe('webgpu');
  // fp32 conversion of the torch-made test model: within 1e-4 of torch, as ORT is in runtime.spec.ts
  expect(maxAbsDiff(out.outputs.logits.data, ref['tiny-fp32'].logits)).toBeLessThanOrEqual(1e-4);
  expect(maxAbsDiff(out.outputs.mask.data, ref['tiny-fp32'].mask)).toBeLessThanOrEqual(1e-4);
  const choices = await page.evaluate(() => window.runtimeTest.engineChoices('byom'));
  expect(choices).toEqual(expect.arrayContaining([{ modelId: 'tiny-fp32', formats: ['onnx', 'tfjs'], chosen: 'onnx' }]));
  expect(errors).toEqual([]);
});
