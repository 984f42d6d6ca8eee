import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTfjsEngine } from './tfjsEngine.ts';
import { findModel, parseManifest } from './manifest.ts';
import { normalizeToTensor } from '../imageOps/normalize.ts';
import { rasterFrom } from '../imageOps/raster.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../e2e/fixtures/runtime');
const ref = JSON.parse(readFileSync(path.join(fixtures, 'reference.json'), 'utf8'));
const manifest = parseManifest(JSON.parse(readFileSync(path.join(fixtures, 'manifest.json'), 'utf8')));

describe('tfjsEngine (cpu backend in Node)', () => {
  it('loads a graph model from manifest bytes and matches torch', async () => {
    const engine = createTfjsEngine();
    expect(await engine.backendsFor('wasm')).toEqual(['cpu']);
    const entry = findModel(manifest, 'tiny-tfjs');
    const files = new Map(entry.files.map((f) => [f.path, new Uint8Array(readFileSync(path.join(fixtures, f.path)))]));
    const s = await engine.createSession({ entry, files }, 'cpu');
    expect(s.signature).toEqual({ inputNames: ['image'], outputNames: ['y'] });
    const x = normalizeToTensor(rasterFrom(ref.input8, 32, 32), entry.input.intensity, 'NHWC');
    const out = await s.run({ image: x });
    expect(out.y.dims).toEqual([1, 32, 32, 4]);
    let maxErr = 0;
    out.y.data.forEach((v, i) => (maxErr = Math.max(maxErr, Math.abs(v - ref['tiny-tfjs'].y[i]))));
    expect(maxErr).toBeLessThan(1e-5);
    await s.release();
  });
});
