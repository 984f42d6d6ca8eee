/**
 * Engine choice per model (ONNX original ↔ TFJS variant via `variantOf`) and bring-your-own models in the
 * ModelHost, in Node: onnxruntime-node for ONNX, the TFJS engine on its cpu backend. The TFJS variant is
 * converted on the fly from the runtime test model by tools/onnx2tfjs (fp32, so outputs agree to 1e-5).
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { onnxToTfjs } from '../../../tools/onnx2tfjs/onnxToTfjs.ts';
import { parseManifest, type ModelEntry } from './manifest.ts';
import { ModelHost } from './modelHost.ts';
import { verifyModelBytes } from './modelFiles.ts';
import { createOrtNodeEngine } from './ortNodeEngine.ts';
import { createTfjsEngine } from './tfjsEngine.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../e2e/fixtures/runtime');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function makeHost(): ModelHost {
  const manifest = parseManifest(JSON.parse(readFileSync(path.join(fixtures, 'manifest.json'), 'utf8')));
  manifest.models = manifest.models.filter((m) => m.id === 'tiny-fp32');
  return new ModelHost({
    manifest,
    engines: { onnx: createOrtNodeEngine({ threads: 1 }), tfjs: createTfjsEngine() },
    pref: 'wasm',
    async loadFile(file) {
      const bytes = new Uint8Array(readFileSync(path.join(fixtures, file.path)));
      await verifyModelBytes(file, bytes);
      return bytes;
    },
  });
}

/** tiny-fp32 converted to TFJS, as a user would bring it: entry JSON + files by name. */
function tfjsVariant(id: string, variantOf?: string) {
  const host = parseManifest(JSON.parse(readFileSync(path.join(fixtures, 'manifest.json'), 'utf8')));
  const original = host.models.find((m) => m.id === 'tiny-fp32')!;
  const { files } = onnxToTfjs(new Uint8Array(readFileSync(path.join(fixtures, 'tiny-fp32/model.onnx'))));
  const json = new TextEncoder().encode(JSON.stringify(files.modelJson));
  const given = new Map<string, Uint8Array>([['model.json', json], ...files.shards.map((s) => [s.name, s.bytes] as [string, Uint8Array])]);
  const entry: ModelEntry = {
    ...original, id, format: 'tfjs', quantization: 'none', ...(variantOf ? { variantOf } : {}),
    files: [...given].map(([name, bytes], i) => ({ path: `${id}/${name}`, sha256: sha(bytes), bytes: bytes.byteLength, role: i === 0 ? 'model' : 'weights' })),
  };
  return { entry, given };
}

const input = { data: Float32Array.from({ length: 32 * 32 }, (_, i) => Math.cos(i * 0.21)), dims: [1, 1, 32, 32] };
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('ModelHost: engine choice per model and bring-your-own models', () => {
  it('runs the TFJS variant when chosen, under the original id, with the same outputs', async () => {
    const host = makeHost();
    const ort = await (await host.getSession('tiny-fp32')).run({ image: input });
    const { entry, given } = tfjsVariant('tiny-fp32-tfjs', 'tiny-fp32');
    await host.registerModel(entry, given);
    expect(host.engineChoices()).toEqual([{ modelId: 'tiny-fp32', formats: ['onnx', 'tfjs'], chosen: 'onnx' }]);
    await host.setModelEngine('tiny-fp32', 'tfjs');
    expect(host.resolveModelId('tiny-fp32')).toBe('tiny-fp32-tfjs');
    const s = await host.getSession('tiny-fp32');
    expect(s.modelId).toBe('tiny-fp32-tfjs');
    const tfjs = await s.run({ image: input });
    expect(maxDiff(tfjs.logits.data, ort.logits.data)).toBeLessThan(1e-5);
    expect(maxDiff(tfjs.mask.data, ort.mask.data)).toBeLessThan(1e-5);
    await host.setModelEngine('tiny-fp32', 'onnx');
    expect((await host.getSession('tiny-fp32')).modelId).toBe('tiny-fp32');
    await expect(host.setModelEngine('tiny-fp32-tfjs', 'onnx')).rejects.toThrow(/is a variant of tiny-fp32/);
    await host.release();
  });

  it('refuses a malformed entry, naming the field', async () => {
    const host = makeHost();
    const { entry, given } = tfjsVariant('mine');
    await expect(host.registerModel({ ...entry, input: { ...entry.input, height: 0 } }, given)).rejects.toThrow(/entry\.input\.height: expected positive integer, got 0/);
    await expect(host.registerModel({ ...entry, id: 'tiny-fp32' }, given)).rejects.toThrow(/entry\.id: duplicate id "tiny-fp32"/);
    await expect(host.registerModel({ ...entry, variantOf: 'nope' }, given)).rejects.toThrow(/entry\.variantOf/);
    await host.release();
  });

  it('refuses a tampered or missing file, naming it', async () => {
    const host = makeHost();
    const { entry, given } = tfjsVariant('mine');
    const shard = [...given.keys()][1];
    const bad = new Map(given);
    const flipped = given.get(shard)!.slice();
    flipped[10] ^= 1;
    bad.set(shard, flipped);
    await expect(host.registerModel(entry, bad)).rejects.toThrow(new RegExp(`Refused model file mine/${shard}: SHA-256`));
    const missing = new Map(given);
    missing.delete(shard);
    await expect(host.registerModel(entry, missing)).rejects.toThrow(new RegExp(`Model file missing: mine/${shard}`));
    await host.release();
  });

  it('refuses a model whose outputs disagree with its entry, and forgets it', async () => {
    const host = makeHost();
    const { entry, given } = tfjsVariant('mine');
    const wrong = { ...entry, outputs: entry.outputs.map((o) => (o.name === 'mask' ? { ...o, shape: [-1, 1, 8, 8] } : o)) };
    await expect(host.registerModel(wrong, given)).rejects.toThrow(/outputs\[\d\]\.shape \[-1,1,8,8\] disagrees/);
    expect(host.manifest.models.map((m) => m.id)).toEqual(['tiny-fp32']);
    const renamed = { ...entry, input: { ...entry.input, name: 'pixels' } };
    await expect(host.registerModel(renamed, given)).rejects.toThrow(/input\.name "pixels" not in the model/);
    // the good one registers and runs by its id
    await host.registerModel(entry, given);
    const out = await (await host.getSession('mine')).run({ image: input });
    expect(out.mask.dims).toEqual([1, 1, 16, 16]);
    await host.unregisterModel('mine');
    await expect(host.getSession('mine')).rejects.toThrow(/not in the manifest/);
    await host.release();
  });
});
