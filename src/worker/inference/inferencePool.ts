import type { MedicalImage } from '../../core/image/medicalImage.ts';
import type { BackendPref } from '../../core/runtime/engine.ts';
import type { BackendInfo } from '../../core/runtime/modelHost.ts';
import { createInferenceClient, type InferenceClient } from './inferenceClient.ts';

/**
 * Several inference workers behind one InferenceClient. On the CPU, two workers with single-threaded ONNX
 * Runtime sessions analyse a series faster than one worker whose sessions use both cores as intra-op threads:
 * a slice's JavaScript (crop, resize, masks) runs in parallel too, and small convolutions scale poorly over
 * WASM threads (bench/results.md, "threads"). The first worker (primary) serves everything; the others mirror
 * its configuration and take `runAnalysis` calls only while every engine runs on the CPU: on a GPU a second
 * device gains nothing. A helper worker that fails is dropped; the primary's errors are the caller's.
 */

export interface PoolPlan {
  workers: number;
  /** ONNX Runtime WASM threads per worker. */
  wasmThreads: number;
}

/** Two workers from two cores up, sharing the cores (threads need cross-origin isolation). */
export function inferencePoolPlan(cores: number, crossOriginIsolated: boolean): PoolPlan {
  const usable = Math.max(1, Math.min(8, Math.floor(cores) || 1));
  const workers = usable >= 2 ? 2 : 1;
  return { workers, wasmThreads: crossOriginIsolated ? Math.max(1, Math.min(4, Math.floor(usable / workers))) : 1 };
}

const GPU_BACKENDS = new Set(['webgpu', 'webgl']);
const cpuOnly = (b: BackendInfo): boolean => b.engines.every((e) => !GPU_BACKENDS.has(e.backend));

interface Helper {
  client: InferenceClient;
  /** Its set-up and configuration calls, in order (a call that fails drops the helper). */
  queue: Promise<unknown>;
  /** Its set-up finished (it may take slices while no configuration call is pending). */
  started: boolean;
  pending: number;
  busy: number;
}

export function createInferencePool(plan: PoolPlan, make: () => InferenceClient = () => createInferenceClient()): InferenceClient {
  const primary = { client: make(), busy: 0 };
  let helpers: Helper[] = [];
  let boot: { manifestUrl: string; pref: BackendPref } | null = null;
  /** Replayed on a helper started later (after a switch back from the GPU): engine choices, own models (by key). */
  const config = new Map<string, (c: InferenceClient) => Promise<unknown>>();

  const drop = (h: Helper): void => {
    helpers = helpers.filter((x) => x !== h);
    h.client.dispose();
  };
  /** Queues a call on one helper; while calls are pending it takes no slices. */
  const enqueue = (h: Helper, op: (c: InferenceClient) => Promise<unknown>): Promise<void> => {
    h.pending++;
    h.queue = h.queue.then(() => op(h.client));
    return h.queue.then(
      () => void h.pending--,
      () => drop(h),
    );
  };
  const broadcast = (op: (c: InferenceClient) => Promise<unknown>): Promise<void> =>
    Promise.all(helpers.map((h) => enqueue(h, op))).then(() => undefined);

  const startHelpers = (): void => {
    if (!boot || helpers.length || plan.workers < 2) return;
    const { manifestUrl, pref } = boot;
    // the calls made so far; later ones reach the helper through `broadcast`
    const replay = [...config.values()];
    for (let i = 1; i < plan.workers; i++) {
      const h: Helper = { client: make(), queue: Promise.resolve(), started: false, pending: 0, busy: 0 };
      helpers.push(h);
      void enqueue(h, async (c) => {
        const r = await c.init(manifestUrl, pref, { wasmThreads: plan.wasmThreads });
        // a helper that found a GPU the primary does not use would not help: it runs on the CPU
        if (!cpuOnly(r.backend)) await c.setBackend('wasm');
        for (const op of replay) await op(c);
        h.started = true;
      });
    }
  };
  const stopHelpers = (): void => helpers.forEach(drop);
  const follow = (b: BackendInfo): BackendInfo => {
    if (cpuOnly(b)) startHelpers();
    else stopHelpers();
    return b;
  };

  /** The least busy of the primary and the helpers ready for slices (ties: the primary). */
  const pick = (): { client: InferenceClient; busy: number } =>
    helpers.filter((h) => h.started && h.pending === 0).reduce<{ client: InferenceClient; busy: number }>((a, b) => (b.busy < a.busy ? b : a), primary);

  /**
   * A configuration call: the primary first (its answer and errors are the caller's), then every helper; kept
   * under `key` for helpers started later (`keep` false: forget the key, e.g. a model unregistered).
   */
  const configure = async <T>(key: string, op: (c: InferenceClient) => Promise<T>, keep = true): Promise<T> => {
    const r = await op(primary.client);
    if (keep) config.set(key, op);
    else config.delete(key);
    await broadcast(op);
    return r;
  };

  return {
    async init(manifestUrl, pref = 'auto') {
      boot = { manifestUrl, pref };
      stopHelpers();
      config.clear();
      const r = await primary.client.init(manifestUrl, pref, { wasmThreads: plan.wasmThreads });
      follow(r.backend);
      return r;
    },
    loadModel: (modelId) => primary.client.loadModel(modelId),
    async warmUp(modelIds) {
      // the helpers too: the first slices they get must not run on cold sessions
      const [ok] = await Promise.all([primary.client.warmUp(modelIds), broadcast((c) => c.warmUp(modelIds))]);
      return ok;
    },
    async runAnalysis<R>(analysisId: string, image: MedicalImage, slice?: unknown): Promise<R> {
      const w = pick();
      w.busy++;
      try {
        return await w.client.runAnalysis<R>(analysisId, image, slice);
      } catch (e) {
        if (w === primary) throw e;
        // a helper's failure: the primary decides whether it was the slice (same error) or the helper
        const r = await primary.client.runAnalysis<R>(analysisId, image, slice);
        drop(w as Helper);
        return r;
      } finally {
        w.busy--;
      }
    },
    runModel: (modelId, feeds) => primary.client.runModel(modelId, feeds),
    backendInfo: () => primary.client.backendInfo(),
    async setBackend(pref) {
      if (boot) boot = { ...boot, pref };
      return follow(await primary.client.setBackend(pref));
    },
    onProgress: (cb) => primary.client.onProgress(cb),
    onNotice: (cb) => primary.client.onNotice(cb),
    simulateGpuLoss: () => primary.client.simulateGpuLoss(),
    engineChoices: () => primary.client.engineChoices(),
    setModelEngine: (modelId, format) => configure(`engine:${modelId}`, (c) => c.setModelEngine(modelId, format)),
    registerModel: (entry, files) => configure(`model:${(entry as { id?: unknown } | null)?.id}`, (c) => c.registerModel(entry, files)),
    unregisterModel: (modelId) => configure(`model:${modelId}`, (c) => c.unregisterModel(modelId), false),
    dispose() {
      stopHelpers();
      primary.client.dispose();
    },
  } satisfies InferenceClient;
}
