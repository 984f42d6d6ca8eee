import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeAnalysisContext } from './nodeContext.ts';
import { normalizeToTensor } from '../imageOps/normalize.ts';
import { rasterFrom } from '../imageOps/raster.ts';
import { ModelFileMissingError, ModelIntegrityError } from './modelFiles.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../e2e/fixtures/runtime');
const ref = JSON.parse(readFileSync(path.join(fixtures, 'reference.json'), 'utf8')) as Record<string, any>;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('createNodeAnalysisContext (onnxruntime-node)', () => {
  it('runs fp32 and int8-weight models and matches torch', async () => {
    const ctx = await createNodeAnalysisContext(fixtures, { threads: 1 });
    try {
      const input = normalizeToTensor(rasterFrom(ref.input8, 32, 32), ctx.manifest.models[0].input.intensity, 'NCHW');
      for (const id of ['tiny-fp32', 'tiny-int8']) {
        const s = await ctx.getSession(id);
        expect(s.backend).toBe('cpu');
        const out = await s.run({ image: input });
        expect(out.logits.dims).toEqual([1, 3]);
        expect(out.mask.dims).toEqual([1, 1, 16, 16]);
        // float32 vs torch's float32 with different summation order: 1e-4 absolute on O(1) values
        expect(maxAbsDiff(out.logits.data, ref[id].logits)).toBeLessThan(1e-4);
        expect(maxAbsDiff(out.mask.data, ref[id].mask)).toBeLessThan(1e-4);
      }
      // int8 really differs from fp32 (the quantized path is exercised, not the float weights)
      const f = await (await ctx.getSession('tiny-fp32')).run({ image: input });
      const q = await (await ctx.getSession('tiny-int8')).run({ image: input });
      expect(maxAbsDiff(f.mask.data, q.mask.data)).toBeGreaterThan(1e-5);
    } finally {
      await ctx.release();
    }
  });

  it('refuses a tampered file and names a missing one', async () => {
    const ctx = await createNodeAnalysisContext(fixtures);
    await expect(ctx.getSession('tiny-tampered')).rejects.toThrow(ModelIntegrityError);
    await expect(ctx.getSession('tiny-tampered')).rejects.toThrow(/tiny-tampered\/model\.onnx: SHA-256/);
    await expect(ctx.getSession('tiny-missing')).rejects.toThrow(ModelFileMissingError);
    await expect(ctx.getSession('tiny-missing')).rejects.toThrow(/Model file missing: tiny-missing\/model\.onnx/);
    await ctx.release();
  });

  it('the committed fixture manifest and models/manifest.json load', async () => {
    const repoModels = path.resolve(fixtures, '../../../models');
    const ctx = await createNodeAnalysisContext(repoModels);
    expect(Array.isArray(ctx.manifest.models)).toBe(true);
    await ctx.release();
  });
});
