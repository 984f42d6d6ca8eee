// Two onnxruntime-web builds, each loaded only when its backend is used:
// - WASM: the plain `wasm` build (smallest binary, no asyncify: issue 16 measured it ~5x faster on the CPU);
// - WebGPU: the `webgpu` build = ORT's native (C++) WebGPU EP + the WASM EP in one binary (asyncify). Not the
//   default JSEP build: in onnxruntime-web 1.30 its WebGPU DequantizeLinear gives wrong weights for some
//   small tensors (a 1-output-channel int8 Conv head: error 0.14-0.96; an int8 Gemm with 1-2 outputs: 0.3-0.4),
//   found by e2e/runtime.spec.ts; the native EP matches WASM and torch to 1e-7 on the same models.
import type * as OrtModule from 'onnxruntime-web';
import type { BackendPref, Engine, EngineSession, ModelBytes } from './engine.ts';
import { modelFile } from './manifest.ts';
import type { Tensor } from './tensor.ts';
import { fromOrtTensor } from './ortTensors.ts';
import { describeWebGpu, probeWebGpu, wasmThreads, type WebGpuInfo } from './webgpuInfo.ts';
import { ORT_SESSION_CONFIG } from './ortSessionOptions.ts';

type Ort = typeof OrtModule;

/** Same-origin URLs of one build's runtime (the `.wasm` binary and its `.mjs` glue, which threads load again). */
export interface OrtWasmFiles {
  wasm: string;
  mjs: string;
}

export interface OrtWebOptions {
  /** Per backend, the URLs Vite emitted for its build, so nothing comes from a CDN. */
  wasmPaths: { wasm: OrtWasmFiles; webgpu: OrtWasmFiles };
  /** WASM threads per session (default `wasmThreads()`); an inference pool gives each of its workers a share. */
  threads?: number;
}

type Build = 'wasm' | 'webgpu';
const imports: Record<Build, () => Promise<Ort>> = {
  wasm: () => import('onnxruntime-web/wasm'),
  webgpu: () => import('onnxruntime-web/webgpu'),
};
const loaded = new Map<Build, Promise<Ort>>();

/** The build for a backend, imported and configured once. */
function ortFor(build: Build, files: OrtWasmFiles, threads: number): Promise<Ort> {
  let p = loaded.get(build);
  if (!p) {
    p = imports[build]().then((ort) => {
      ort.env.wasm.wasmPaths = files;
      ort.env.wasm.numThreads = threads;
      ort.env.wasm.proxy = false; // we already are in a worker
      ort.env.logLevel = 'error';
      return ort;
    });
    loaded.set(build, p);
  }
  return p;
}

/**
 * onnxruntime-web: WebGPU EP when an adapter exists, else (and as the fallback) the WASM
 * EP with SIMD and min(4, cores) threads when the page is cross-origin isolated.
 */
export function createOrtWebEngine(opts: OrtWebOptions): Engine {
  let gpuInfo: Promise<WebGpuInfo | null> | null = null;
  const probe = () => (gpuInfo ??= probeWebGpu());
  // only where threads can run at all (cross-origin isolated): otherwise ORT itself would fall back to 1
  const threads = wasmThreads() > 1 ? Math.max(1, opts.threads ?? wasmThreads()) : 1;

  return {
    id: 'ort-web',
    isGpu: (b) => b === 'webgpu',
    async backendsFor(pref: BackendPref): Promise<string[]> {
      if (pref === 'wasm' || pref === 'webgl') return ['wasm'];
      const gpu = await probe();
      // 'auto' takes WebGPU whenever an adapter exists, even a software one: the badge says so.
      return gpu ? ['webgpu', 'wasm'] : ['wasm'];
    },
    async describe(backend: string): Promise<string> {
      if (backend === 'webgpu') {
        const gpu = await probe();
        return gpu ? describeWebGpu(gpu) : 'WebGPU · unknown adapter';
      }
      return `CPU (WASM, ${threads} thread${threads === 1 ? '' : 's'})`;
    },
    async createSession(model: ModelBytes, backend: string): Promise<EngineSession> {
      const build: Build = backend === 'webgpu' ? 'webgpu' : 'wasm';
      const ort = await ortFor(build, opts.wasmPaths[build], threads);
      const entry = model.entry;
      const bytes = model.files.get(modelFile(entry).path);
      if (!bytes) throw new Error(`${entry.id}: model bytes not loaded`);
      const externalData = entry.files
        .filter((f) => f.role === 'data')
        .map((f) => ({ path: f.path.split('/').pop()!, data: model.files.get(f.path)! }));
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: [backend === 'webgpu' ? 'webgpu' : 'wasm'],
        graphOptimizationLevel: 'all',
        extra: ORT_SESSION_CONFIG,
        ...(externalData.length ? { externalData } : {}),
      });
      let lost: Promise<string> | undefined;
      if (backend === 'webgpu') {
        const device = (await ort.env.webgpu.device) as unknown as { lost: Promise<{ reason: string; message: string }> };
        lost = device.lost.then((i) => `WebGPU device lost (${i.reason || 'unknown'}${i.message ? `: ${i.message}` : ''})`);
      }
      return {
        modelId: entry.id,
        backend,
        signature: { inputNames: session.inputNames, outputNames: session.outputNames },
        lost,
        async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
          const ortFeeds: Record<string, OrtModule.Tensor> = {};
          for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims);
          const out = await session.run(ortFeeds);
          const result: Record<string, Tensor> = {};
          for (const [name, t] of Object.entries(out)) {
            result[name] = fromOrtTensor(name, t);
            t.dispose();
          }
          return result;
        },
        release: () => session.release(),
      };
    },
  };
}

/** For tests: destroys ORT's WebGPU device, as a driver reset would (device.lost fires). */
export async function destroyOrtWebGpuDevice(): Promise<boolean> {
  const webgpu = loaded.get('webgpu');
  if (!webgpu) return false;
  try {
    const device = (await (await webgpu).env.webgpu.device) as unknown as { destroy(): void } | undefined;
    device?.destroy();
    return !!device;
  } catch {
    return false;
  }
}
