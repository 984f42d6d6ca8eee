import type { BackendPref, Engine, EngineSession, ModelBytes } from './engine.ts';
import { modelFile } from './manifest.ts';
import type { Tensor } from './tensor.ts';
import { describeWebGpu, probeWebGpu, type WebGpuInfo } from './webgpuInfo.ts';

type Tf = typeof import('@tensorflow/tfjs');

/** TFJS is loaded only when a manifest lists a tfjs-format model (it is a large bundle). */
let tfPromise: Promise<Tf> | null = null;
function loadTf(): Promise<Tf> {
  return (tfPromise ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-webgpu'); // registers 'webgpu'
    return tf;
  })());
}

interface WeightsGroup {
  paths: string[];
  weights: unknown[];
}

/**
 * TFJS graph models (`model.json` + weight shards, all listed in the manifest). Backends
 * best first: webgpu → webgl → cpu (tfjs-backend-wasm is not installed; cpu is the last
 * resort and the GPU fallback). TFJS has one active backend per instance, so each session
 * switches to its own before running.
 */
export function createTfjsEngine(): Engine {
  let gpuInfo: Promise<WebGpuInfo | null> | null = null;
  const probe = () => (gpuInfo ??= probeWebGpu());
  const usable = new Map<string, Promise<boolean>>();

  async function canUse(backend: string): Promise<boolean> {
    let p = usable.get(backend);
    if (!p) {
      p = (async () => {
        if (backend === 'webgpu' && !(await probe())) return false;
        if (backend === 'webgl' && typeof OffscreenCanvas === 'undefined' && typeof document === 'undefined') return false;
        const tf = await loadTf();
        try {
          return await tf.setBackend(backend);
        } catch {
          return false;
        }
      })();
      usable.set(backend, p);
    }
    return p;
  }

  return {
    id: 'tfjs',
    isGpu: (b) => b === 'webgpu' || b === 'webgl',
    async backendsFor(pref: BackendPref): Promise<string[]> {
      const order =
        pref === 'webgpu' ? ['webgpu', 'webgl', 'cpu'] :
        pref === 'webgl' ? ['webgl', 'cpu'] :
        pref === 'wasm' ? ['cpu'] : ['webgpu', 'webgl', 'cpu'];
      const out: string[] = [];
      for (const b of order) if (b === 'cpu' || (await canUse(b))) out.push(b);
      return out;
    },
    async describe(backend: string): Promise<string> {
      if (backend === 'webgpu') {
        const gpu = await probe();
        return gpu ? describeWebGpu(gpu, 'TFJS WebGPU') : 'TFJS WebGPU';
      }
      if (backend === 'webgl') return 'TFJS WebGL';
      return 'CPU (TFJS cpu backend, 1 thread)';
    },
    async createSession(model: ModelBytes, backend: string): Promise<EngineSession> {
      const tf = await loadTf();
      if (!(await tf.setBackend(backend))) throw new Error(`TFJS backend ${backend} unavailable`);
      await tf.ready();
      const entry = model.entry;
      const main = modelFile(entry);
      const json = JSON.parse(new TextDecoder().decode(model.files.get(main.path)!));
      const dir = main.path.includes('/') ? main.path.slice(0, main.path.lastIndexOf('/') + 1) : '';
      // Shards concatenated in weightsManifest order, as tfjs's own HTTP loader does.
      const groups = (json.weightsManifest ?? []) as WeightsGroup[];
      const shards: Uint8Array[] = [];
      for (const g of groups) {
        for (const p of g.paths) {
          const bytes = model.files.get(dir + p);
          if (!bytes) throw new Error(`${entry.id}: weight shard ${dir + p} is not listed in the manifest files`);
          shards.push(bytes);
        }
      }
      const total = shards.reduce((a, s) => a + s.byteLength, 0);
      const weights = new Uint8Array(total);
      let o = 0;
      for (const s of shards) { weights.set(s, o); o += s.byteLength; }
      const graph = await tf.loadGraphModel(tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: groups.flatMap((g) => g.weights) as never,
        weightData: weights.buffer,
        format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy,
        signature: json.signature, userDefinedMetadata: json.userDefinedMetadata,
      }));
      const strip = (n: string) => n.replace(/:0$/, '');
      const inputNames = graph.inputs.map((i) => strip(i.name));
      const outputNames = graph.outputs.map((o) => strip(o.name));
      return {
        modelId: entry.id,
        backend,
        signature: { inputNames, outputNames },
        async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
          if (tf.getBackend() !== backend) await tf.setBackend(backend);
          const inputs: Record<string, import('@tensorflow/tfjs').Tensor> = {};
          for (const [name, t] of Object.entries(feeds)) inputs[name] = tf.tensor(t.data, t.dims, 'float32');
          try {
            // execute() is synchronous and faster; graphs with control flow need executeAsync().
            let out: import('@tensorflow/tfjs').Tensor | import('@tensorflow/tfjs').Tensor[];
            try {
              out = graph.execute(inputs, outputNames);
            } catch (e) {
              if (!/executeAsync/.test(String(e))) throw e;
              out = await graph.executeAsync(inputs, outputNames);
            }
            const list = Array.isArray(out) ? out : [out];
            const result: Record<string, Tensor> = {};
            for (const [k, t] of list.entries()) {
              result[outputNames[k]] = { data: Float32Array.from(await t.data()), dims: t.shape.slice() };
              t.dispose();
            }
            return result;
          } finally {
            Object.values(inputs).forEach((t) => t.dispose());
          }
        },
        release: async () => graph.dispose(),
      };
    },
  };
}
