import { describe, expect, it } from 'vitest';
import type { BackendPref } from '../../core/runtime/engine.ts';
import type { BackendInfo } from '../../core/runtime/modelHost.ts';
import type { MedicalImage } from '../../core/image/medicalImage.ts';
import type { InferenceClient } from './inferenceClient.ts';
import { createInferencePool, inferencePoolPlan } from './inferencePool.ts';

/** A fake worker: records its calls; `runAnalysis` answers with its own name after `delayMs`. */
interface FakeOptions {
  gpu?: boolean;
  failInit?: boolean;
  failRuns?: boolean;
  delayMs?: number;
}

function fakeFactory(optsFor: (i: number) => FakeOptions = () => ({})) {
  const made: { name: string; calls: string[]; disposed: boolean }[] = [];
  const make = (): InferenceClient => {
    const i = made.length;
    const rec = { name: `w${i}`, calls: [] as string[], disposed: false };
    made.push(rec);
    const o = optsFor(i);
    let pref: BackendPref = 'auto';
    const info = (): BackendInfo => ({ pref, engines: [{ engine: 'ort-web', backend: o.gpu && pref !== 'wasm' ? 'webgpu' : 'wasm', description: '' }] });
    const later = <T>(v: T) => new Promise<T>((r) => setTimeout(() => r(v), o.delayMs ?? 5));
    return {
      async init(_url, p = 'auto', opts) {
        rec.calls.push(`init:${p}:${opts?.wasmThreads}`);
        if (o.failInit) throw new Error('no worker');
        pref = p;
        return { models: [], analyses: [], backend: info() };
      },
      loadModel: async () => ({ backend: 'wasm' }),
      warmUp: async (ids) => (rec.calls.push(`warmUp:${ids.join(',')}`), true),
      async runAnalysis<R>(id: string) {
        rec.calls.push(`run:${id}`);
        if (o.failRuns) throw new Error(`${rec.name} crashed`);
        return later(rec.name as R);
      },
      runModel: async () => ({ outputs: {}, backend: 'wasm', runMs: 0 }),
      backendInfo: async () => info(),
      async setBackend(p) {
        rec.calls.push(`setBackend:${p}`);
        pref = p;
        return info();
      },
      onProgress: () => () => undefined,
      onNotice: () => () => undefined,
      simulateGpuLoss: async () => false,
      engineChoices: async () => [],
      setModelEngine: async (m, f) => (rec.calls.push(`engine:${m}:${f}`), []),
      registerModel: async (entry) => (rec.calls.push(`register:${(entry as { id: string }).id}`), { id: (entry as { id: string }).id } as never),
      unregisterModel: async (id) => (rec.calls.push(`unregister:${id}`), true),
      dispose: () => void (rec.disposed = true),
    };
  };
  return { make, made };
}

const image = {} as MedicalImage;
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('inferencePoolPlan', () => {
  it('uses two workers from two cores up and shares the cores as WASM threads where isolated', () => {
    expect(inferencePoolPlan(1, true)).toEqual({ workers: 1, wasmThreads: 1 });
    expect(inferencePoolPlan(2, true)).toEqual({ workers: 2, wasmThreads: 1 });
    expect(inferencePoolPlan(8, true)).toEqual({ workers: 2, wasmThreads: 4 });
    expect(inferencePoolPlan(16, false)).toEqual({ workers: 2, wasmThreads: 1 });
  });
});

describe('createInferencePool', () => {
  it('on the CPU, slices in flight at once go to different workers, each set up like the primary', async () => {
    const { make, made } = fakeFactory();
    const pool = createInferencePool({ workers: 2, wasmThreads: 1 }, make);
    await pool.init('models/manifest.json', 'wasm');
    await pool.setModelEngine('ct-lesion-segmentation', 'tfjs');
    await pool.warmUp(['a']);
    const answers = await Promise.all([pool.runAnalysis('ct', image), pool.runAnalysis('ct', image)]);
    expect(answers.sort()).toEqual(['w0', 'w1']);
    expect(made[1].calls).toEqual(['init:wasm:1', 'engine:ct-lesion-segmentation:tfjs', 'warmUp:a', 'run:ct']);
  });

  it('on a GPU, everything runs in the primary and no second worker starts', async () => {
    const { make, made } = fakeFactory(() => ({ gpu: true }));
    const pool = createInferencePool({ workers: 2, wasmThreads: 1 }, make);
    await pool.init('models/manifest.json', 'auto');
    const answers = await Promise.all([pool.runAnalysis('ct', image), pool.runAnalysis('ct', image)]);
    expect(answers).toEqual(['w0', 'w0']);
    expect(made).toHaveLength(1);
  });

  it('a switch to the GPU stops the helpers; back on the CPU a new helper replays the current configuration only', async () => {
    const { make, made } = fakeFactory((i) => ({ gpu: i === 0 }));
    const pool = createInferencePool({ workers: 2, wasmThreads: 1 }, make);
    await pool.init('models/manifest.json', 'wasm');
    await pool.setModelEngine('m', 'onnx');
    await pool.setModelEngine('m', 'tfjs');
    await pool.registerModel({ id: 'mine' }, {});
    await pool.unregisterModel('mine');
    expect(made[1].calls).toEqual(['init:wasm:1', 'engine:m:onnx', 'engine:m:tfjs', 'register:mine', 'unregister:mine']);
    await pool.setBackend('auto'); // the primary finds its GPU
    await settle();
    expect(made[1].disposed).toBe(true);
    await pool.setBackend('wasm');
    await settle();
    expect(made[2].calls).toEqual(['init:wasm:1', 'engine:m:tfjs']);
    const answers = await Promise.all([pool.runAnalysis('ct', image), pool.runAnalysis('ct', image)]);
    expect(answers.sort()).toEqual(['w0', 'w2']);
  });

  it('a helper that cannot start is dropped and the primary does the work', async () => {
    const { make, made } = fakeFactory((i) => ({ failInit: i === 1 }));
    const pool = createInferencePool({ workers: 2, wasmThreads: 1 }, make);
    await pool.init('models/manifest.json', 'wasm');
    await settle();
    expect(made[1].disposed).toBe(true);
    expect(await Promise.all([pool.runAnalysis('ct', image), pool.runAnalysis('ct', image)])).toEqual(['w0', 'w0']);
  });

  it('a slice that fails in a helper is redone by the primary, and the helper is dropped', async () => {
    const { make, made } = fakeFactory((i) => ({ failRuns: i === 1 }));
    const pool = createInferencePool({ workers: 2, wasmThreads: 1 }, make);
    await pool.init('models/manifest.json', 'wasm');
    await settle();
    const answers = await Promise.all([pool.runAnalysis('ct', image), pool.runAnalysis('ct', image)]);
    expect(answers).toEqual(['w0', 'w0']);
    expect(made[1].disposed).toBe(true);
  });

  it("the primary's errors reach the caller", async () => {
    const { make } = fakeFactory(() => ({ failRuns: true }));
    const pool = createInferencePool({ workers: 1, wasmThreads: 2 }, make);
    await pool.init('models/manifest.json', 'wasm');
    await expect(pool.runAnalysis('ct', image)).rejects.toThrow('w0 crashed');
  });
});
