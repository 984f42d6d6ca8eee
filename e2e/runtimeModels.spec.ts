import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Every bundled ONNX model (models/manifest.json) on WebGPU (SwiftShader) and on WASM inside the
// inference worker, same deterministic input: outputs must agree. Tolerance: max |WebGPU - WASM| <=
// 1e-3 * max(1, max |WASM output|) — deeper nets than the tiny test model accumulate more float32
// reordering error (observed ~1e-6 relative), while a wrong kernel (e.g. onnxruntime-web 1.30 JSEP's
// DequantizeLinear bug, errors 0.1-1) is far above it. This is what catches an EP bug on a real model.
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(path.join(repo, 'models/manifest.json'), 'utf8')) as {
  models: { id: string; format: string; input: { name: string; layout: string; height: number; width: number; channels: number } }[];
};
const onnxModels = manifest.models.filter((m) => m.format === 'onnx');

test.describe('bundled models: WebGPU and WASM agree', () => {
  test.skip(onnxModels.length === 0, 'no ONNX model in models/manifest.json yet');
  for (const m of onnxModels) {
    test(m.id, async ({ page }) => {
      test.setTimeout(600_000); // SwiftShader WebGPU runs a real model in tens of seconds
      await page.goto('/e2e/fixtures/runtime/runtime-test.html');
      await page.waitForFunction(() => 'runtimeTest' in window);
      const { height: h, width: w, channels: c } = m.input;
      const dims = m.input.layout === 'NCHW' ? [1, c, h, w] : [1, h, w, c];
      // a smooth pattern in roughly the normalized intensity range
      const data = Array.from({ length: h * w * c }, (_, i) => Math.sin(i * 0.0137) * 1.5);
      await page.evaluate(() => window.runtimeTest.start('gpu', '/models/manifest.json', 'webgpu'));
      await page.evaluate(() => window.runtimeTest.start('cpu', '/models/manifest.json', 'wasm'));
      const gpu = await page.evaluate(([id, n, d, s]) => window.runtimeTest.run('gpu', id, n, d, s), [m.id, m.input.name, data, dims] as const);
      const cpu = await page.evaluate(([id, n, d, s]) => window.runtimeTest.run('cpu', id, n, d, s), [m.id, m.input.name, data, dims] as const);
      expect(gpu.backend).toBe('webgpu');
      expect(cpu.backend).toBe('wasm');
      for (const [name, ref] of Object.entries(cpu.outputs)) {
        const g = gpu.outputs[name];
        expect(g.dims).toEqual(ref.dims);
        const scale = Math.max(1, ...ref.data.map(Math.abs));
        const diff = ref.data.reduce((a, v, i) => Math.max(a, Math.abs(v - g.data[i])), 0);
        console.log(`${m.id}.${name}: max |webgpu-wasm| ${diff.toExponential(2)} (scale ${scale.toFixed(2)})`);
        expect(diff).toBeLessThanOrEqual(1e-3 * scale);
      }
    });
  }
});
