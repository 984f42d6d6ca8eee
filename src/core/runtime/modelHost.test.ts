import { describe, expect, it } from 'vitest';
import { ModelHost, type RuntimeNotice } from './modelHost.ts';
import type { Engine, EngineSession, ModelBytes } from './engine.ts';
import { ModelShapeError, type Manifest, type ModelEntry } from './manifest.ts';
import type { Tensor } from './tensor.ts';

const entry: ModelEntry = {
  id: 'm', name: 'm', task: 'cxr-classification', modality: 'cxr', format: 'onnx', version: '1', license: 't', card: 'c',
  files: [{ path: 'm/model.onnx', sha256: '0'.repeat(64), bytes: 1, role: 'model' }],
  input: { name: 'image', layout: 'NCHW', height: 1, width: 1, channels: 1, dtype: 'float32',
    intensity: { source: '8bit', scale: 1, mean: [0], std: [1] }, crop: 'none', resize: 'none' },
  outputs: [{ name: 'y', shape: [-1, 1], decode: 'linear' }],
};
const manifest: Manifest = { schemaVersion: 1, models: [entry] };

/** Fake engine: 'gpu' doubles the input, 'cpu' doubles it too; failures are scripted. */
function fakeEngine(script: { gpuRunFails?: boolean; gpuCreateFails?: boolean; outDims?: number[]; loseAfterCreate?: boolean }) {
  const created: string[] = [];
  let loseDevice: (r: string) => void = () => undefined;
  const engine: Engine = {
    id: 'ort-web',
    isGpu: (b) => b === 'gpu',
    backendsFor: async (pref) => (pref === 'wasm' ? ['cpu'] : ['gpu', 'cpu']),
    describe: async (b) => b,
    async createSession(model: ModelBytes, backend: string): Promise<EngineSession> {
      // creation is serialized: no two creates overlap
      created.push(backend);
      await new Promise((r) => setTimeout(r, 5));
      if (backend === 'gpu' && script.gpuCreateFails) throw new Error('no kernel for Foo');
      const lost = backend === 'gpu' ? new Promise<string>((r) => (loseDevice = r)) : undefined;
      return {
        modelId: model.entry.id, backend, lost,
        signature: { inputNames: ['image'], outputNames: ['y'] },
        async run(feeds: Record<string, Tensor>) {
          if (backend === 'gpu' && script.gpuRunFails) throw new Error('kernel error');
          return { y: { data: feeds.image.data.map((v) => v * 2), dims: script.outDims ?? [1, 1] } };
        },
        release: async () => undefined,
      };
    },
  };
  return { engine, created, lose: (r: string) => loseDevice(r) };
}

const feeds = { image: { data: new Float32Array([21]), dims: [1, 1, 1, 1] } };
function host(engine: Engine, notices: RuntimeNotice[], pref: 'auto' | 'wasm' = 'auto') {
  return new ModelHost({ manifest, engines: { onnx: engine }, pref, loadFile: async () => new Uint8Array(1), onNotice: (n) => notices.push(n) });
}

describe('ModelHost', () => {
  it('auto picks the GPU; wasm pref picks the CPU', async () => {
    const f = fakeEngine({});
    expect((await host(f.engine, []).getSession('m')).backend).toBe('gpu');
    expect((await host(f.engine, [], 'wasm').getSession('m')).backend).toBe('cpu');
  });

  it('a GPU run error finishes the same request on the CPU with one notice', async () => {
    const f = fakeEngine({ gpuRunFails: true });
    const notices: RuntimeNotice[] = [];
    const h = host(f.engine, notices);
    const s = await h.getSession('m');
    expect(Array.from((await s.run(feeds)).y.data)).toEqual([42]);
    expect(s.backend).toBe('cpu');
    await s.run(feeds);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ from: 'gpu', to: 'cpu', modelId: 'm' });
    expect(notices[0].reason).toMatch(/kernel error/);
  });

  it('device lost → next run re-created on the CPU', async () => {
    const f = fakeEngine({});
    const notices: RuntimeNotice[] = [];
    const s = await host(f.engine, notices).getSession('m');
    expect(s.backend).toBe('gpu');
    f.lose('destroyed');
    await new Promise((r) => setTimeout(r, 0));
    expect(Array.from((await s.run(feeds)).y.data)).toEqual([42]);
    expect(s.backend).toBe('cpu');
    expect(notices[0].reason).toBe('destroyed');
  });

  it('GPU session creation failure falls back at load', async () => {
    const f = fakeEngine({ gpuCreateFails: true });
    const notices: RuntimeNotice[] = [];
    const s = await host(f.engine, notices).getSession('m');
    expect(s.backend).toBe('cpu');
    expect(f.created).toEqual(['gpu', 'cpu']);
    expect(notices).toHaveLength(1);
  });

  it('output dims that disagree with the manifest are an error, not a fallback', async () => {
    const f = fakeEngine({ outDims: [1, 2] });
    const s = await host(f.engine, []).getSession('m');
    await expect(s.run(feeds)).rejects.toThrow(ModelShapeError);
    await expect(s.run(feeds)).rejects.toThrow(/outputs\[0\]\.shape/);
  });

  it('setBackend releases sessions and re-creates on the new backend', async () => {
    const f = fakeEngine({});
    const h = host(f.engine, []);
    expect((await h.getSession('m')).backend).toBe('gpu');
    await h.setBackend('wasm');
    expect((await h.getSession('m')).backend).toBe('cpu');
    expect((await h.backendInfo()).engines[0]).toEqual({ engine: 'ort-web', backend: 'cpu', description: 'cpu' });
  });
});
