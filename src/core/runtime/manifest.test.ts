import { describe, expect, it } from 'vitest';
import { ManifestError, manifestProblems, outputDimsProblems, parseManifest, signatureProblems, type ModelEntry } from './manifest.ts';
import { fetchModelFile, ModelFileMissingError, ModelIntegrityError, verifyModelBytes } from './modelFiles.ts';
import { sha256Hex } from './sha256.ts';
import { readFileSync } from 'node:fs';

function entry(): ModelEntry {
  return {
    id: 'toy', name: 'Toy', task: 'cxr-classification', modality: 'cxr', format: 'onnx', version: '1.0.0',
    license: 'test', card: 'toy/CARD.md', quantization: 'none',
    files: [{ path: 'toy/model.onnx', sha256: 'a'.repeat(64), bytes: 10, role: 'model' }],
    input: { name: 'image', layout: 'NCHW', height: 8, width: 8, channels: 1, dtype: 'float32',
      intensity: { source: '8bit', scale: 1 / 255, mean: [0.5], std: [0.25] }, crop: 'none', resize: 'bilinear-half-pixel' },
    outputs: [{ name: 'logits', shape: [-1, 3], decode: 'softmax' }],
    labels: ['a', 'b', 'c'],
  };
}
const manifest = (...models: unknown[]) => ({ schemaVersion: 1, models });

describe('manifest validation', () => {
  it('accepts a valid manifest and the committed models/manifest.json', () => {
    expect(manifestProblems(manifest(entry()))).toEqual([]);
    const real = JSON.parse(readFileSync(new URL('../../../models/manifest.json', import.meta.url), 'utf8'));
    expect(manifestProblems(real)).toEqual([]);
  });
  it('names the bad field by JSON path', () => {
    const bad = [entry(), entry(), { ...entry(), id: 'third', input: { ...entry().input, height: 0 } }];
    bad[1].id = 'second';
    expect(manifestProblems(manifest(...bad))).toEqual(['models[2].input.height: expected positive integer, got 0']);
  });
  it('reports several problems at once, and parseManifest throws them', () => {
    const e = entry() as any;
    e.files[0].sha256 = 'XYZ';
    e.outputs[0].decode = 'argmax';
    e.input.intensity.std = [0];
    delete e.format;
    const problems = manifestProblems(manifest(e));
    expect(problems).toEqual([
      'models[0].format: expected one of onnx | tfjs, got nothing',
      'models[0].files[0].sha256: expected string matching /^[0-9a-f]{64}$/, got "XYZ"',
      'models[0].input.intensity.std[0]: expected > 0, got 0',
      'models[0].outputs[0].decode: expected one of linear | sigmoid | softmax | softmax-expectation | logits | boxes, got "argmax"',
    ]);
    expect(() => parseManifest(manifest(e))).toThrow(ManifestError);
    expect(() => parseManifest(manifest(e))).toThrow(/models\[0\]\.outputs\[0\]\.decode/);
  });
  it('rejects duplicate ids, path traversal, wrong schema version', () => {
    const e2 = entry();
    e2.files[0].path = '../secrets.onnx';
    const p = manifestProblems({ schemaVersion: 2, models: [entry(), e2] });
    expect(p).toContain('schemaVersion: expected 1, got 2');
    expect(p).toContain('models[1].id: duplicate id "toy"');
    expect(p.some((s) => s.startsWith('models[1].files[0].path: must be relative'))).toBe(true);
  });
  it('shape check against a loaded session names the manifest field', () => {
    expect(signatureProblems(entry(), { inputNames: ['input'], outputNames: ['logits'] })).toEqual([
      'toy: input.name "image" not in the model (model inputs: input)',
    ]);
    expect(outputDimsProblems(entry(), { logits: { dims: [1, 3] } })).toEqual([]);
    expect(outputDimsProblems(entry(), { logits: { dims: [1, 4] } })).toEqual([
      'toy: outputs[0].shape [-1,3] disagrees with the model\'s output [1,4]',
    ]);
  });
});

describe('model files', () => {
  const bytes = new TextEncoder().encode('hello model');
  const good = async () => ({ path: 'toy/model.onnx', bytes: bytes.byteLength, sha256: await sha256Hex(bytes), role: 'model' });

  it('sha256 matches a known vector', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('verifies good bytes; refuses a tampered file naming it', async () => {
    const f = await good();
    await expect(verifyModelBytes(f, bytes)).resolves.toBeUndefined();
    const tampered = bytes.slice();
    tampered[3] ^= 1;
    await expect(verifyModelBytes(f, tampered)).rejects.toThrow(ModelIntegrityError);
    await expect(verifyModelBytes(f, tampered)).rejects.toThrow(/Refused model file toy\/model\.onnx: SHA-256/);
    await expect(verifyModelBytes(f, bytes.subarray(1))).rejects.toThrow(/size 10 bytes, manifest says 11/);
  });
  it('fetch: streams with progress, refuses tampered, names a missing file', async () => {
    const f = await good();
    const serve = (body: Uint8Array | null, status = 200) => (async () => new Response(body as BodyInit, { status })) as typeof fetch;
    const seen: number[] = [];
    const got = await fetchModelFile('http://localhost/models/', f, { cache: false, fetchImpl: serve(bytes), onProgress: (p) => seen.push(p.loadedBytes) });
    expect(Array.from(got)).toEqual(Array.from(bytes));
    expect(seen.at(-1)).toBe(bytes.byteLength);
    const bad = bytes.slice(); bad[0] ^= 0xff;
    await expect(fetchModelFile('http://localhost/models/', f, { cache: false, fetchImpl: serve(bad) })).rejects.toThrow(ModelIntegrityError);
    const missing = fetchModelFile('http://localhost/models/', f, { cache: false, fetchImpl: serve(null, 404) });
    await expect(missing).rejects.toThrow(ModelFileMissingError);
    await expect(fetchModelFile('http://localhost/models/', f, { cache: false, fetchImpl: serve(null, 404) }))
      .rejects.toThrow('Model file missing: toy/model.onnx (HTTP 404 for http://localhost/models/toy/model.onnx)');
  });
});
