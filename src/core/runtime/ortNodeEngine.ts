import * as ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import type { BackendPref, Engine, EngineSession, ModelBytes } from './engine.ts';
import { modelFile } from './manifest.ts';
import type { Tensor } from './tensor.ts';
import { fromOrtTensor } from './ortTensors.ts';
import { ORT_SESSION_CONFIG } from './ortSessionOptions.ts';

/**
 * onnxruntime-node for the CLI (and as the bench's native baseline). Chosen over running
 * ort-web's WASM in Node because: it is the same ONNX Runtime kernels compiled natively
 * (AVX2/FMA, real threads, no SharedArrayBuffer / COOP rules), several times faster on
 * CT series of hundreds of slices; it needs no .wasm path plumbing in Node; and the
 * numeric parity with the browser is still tested (WASM vs WebGPU in Playwright, training
 * fixtures vs node here). Installed with ONNXRUNTIME_NODE_INSTALL=skip (CPU binary only).
 */
export function createOrtNodeEngine(opts: { threads?: number } = {}): Engine {
  const threads = opts.threads ?? Math.max(1, Math.min(4, availableParallelism()));
  return {
    id: 'ort-node',
    isGpu: () => false,
    async backendsFor(_pref: BackendPref): Promise<string[]> {
      return ['cpu'];
    },
    async describe(): Promise<string> {
      return `CPU (onnxruntime-node, ${threads} thread${threads === 1 ? '' : 's'})`;
    },
    async createSession(model: ModelBytes, backend: string): Promise<EngineSession> {
      const entry = model.entry;
      const bytes = model.files.get(modelFile(entry).path);
      if (!bytes) throw new Error(`${entry.id}: model bytes not loaded`);
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        extra: ORT_SESSION_CONFIG,
      });
      return {
        modelId: entry.id,
        backend,
        signature: { inputNames: session.inputNames, outputNames: session.outputNames },
        async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
          const ortFeeds: Record<string, ort.Tensor> = {};
          for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims);
          const out = await session.run(ortFeeds);
          const result: Record<string, Tensor> = {};
          for (const [name, t] of Object.entries(out)) result[name] = fromOrtTensor(name, t);
          return result;
        },
        release: () => session.release(),
      };
    },
  };
}
