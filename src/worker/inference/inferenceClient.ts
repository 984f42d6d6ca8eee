import type { MedicalImage } from '../../core/image/medicalImage.ts';
import type { BackendPref } from '../../core/runtime/engine.ts';
import type { BackendInfo, RuntimeNotice } from '../../core/runtime/modelHost.ts';
import type { DownloadProgress } from '../../core/runtime/modelFiles.ts';
import type { Tensor } from '../../core/runtime/tensor.ts';
import type { EngineChoice, InitResult, RegisteredModel, RunModelResult, WorkerMessage, WorkerRequest } from './protocol.ts';

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;
type RequestBody = Distribute<WorkerRequest>;

export interface InferenceClient {
  /** Reads and validates the manifest (URL relative to the page), picks backends. */
  init(manifestUrl: string, backendPref?: BackendPref): Promise<InitResult>;
  /** Downloads (with progress events), verifies and opens a model's session; returns its backend. */
  loadModel(modelId: string): Promise<{ backend: string }>;
  runAnalysis<R>(analysisId: string, image: MedicalImage): Promise<R>;
  runModel(modelId: string, feeds: Record<string, Tensor>): Promise<RunModelResult>;
  backendInfo(): Promise<BackendInfo>;
  setBackend(pref: BackendPref): Promise<BackendInfo>;
  onProgress(cb: (p: DownloadProgress) => void): () => void;
  onNotice(cb: (n: RuntimeNotice) => void): () => void;
  /** Test hook: destroys the WebGPU device inside the worker. */
  simulateGpuLoss(): Promise<boolean>;
  /** Models with variants in several formats and the one chosen for each. */
  engineChoices(): Promise<EngineChoice[]>;
  /** Run `modelId` (an original id, as analyses ask for it) with its `format` variant from now on. */
  setModelEngine(modelId: string, format: 'onnx' | 'tfjs'): Promise<EngineChoice[]>;
  /**
   * Bring-your-own model: manifest entry JSON + files (model.json and shards, or an .onnx), matched to
   * the entry's `files` by path or file name, verified and test-run in the worker; memory only.
   */
  registerModel(entry: unknown, files: Record<string, Uint8Array>): Promise<RegisteredModel>;
  unregisterModel(modelId: string): Promise<boolean>;
  dispose(): void;
}

/** Errors from the worker keep their name (ModelIntegrityError, ManifestError, ...). */
export class InferenceError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Starts the inference worker and returns its main-thread API. */
export function createInferenceClient(
  worker: Worker = new Worker(new URL('./inferenceWorker.ts', import.meta.url), { type: 'module', name: 'lunglens-inference' }),
): InferenceClient {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const progress = new Set<(p: DownloadProgress) => void>();
  const notices = new Set<(n: RuntimeNotice) => void>();

  worker.onmessage = (ev: MessageEvent<WorkerMessage>) => {
    const msg = ev.data;
    if ('type' in msg) {
      if (msg.type === 'progress') progress.forEach((cb) => cb(msg.progress));
      else notices.forEach((cb) => cb(msg.notice));
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new InferenceError(msg.error.name, msg.error.message));
  };
  worker.onerror = (ev) => {
    const err = new InferenceError('WorkerError', ev.message || 'inference worker crashed');
    pending.forEach((p) => p.reject(err));
    pending.clear();
  };

  function call<T>(body: RequestBody, transfer: Transferable[] = []): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...body, id } as WorkerRequest, transfer);
    });
  }

  const subscribe = <T>(set: Set<T>, cb: T) => {
    set.add(cb);
    return () => void set.delete(cb);
  };

  return {
    init: (manifestUrl, pref = 'auto') =>
      call<InitResult>({ type: 'init', manifestUrl: new URL(manifestUrl, location.href).href, pref }),
    loadModel: (modelId) => call({ type: 'loadModel', modelId }),
    runAnalysis: <R>(analysisId: string, image: MedicalImage) => call<R>({ type: 'runAnalysis', analysisId, image }),
    runModel: (modelId, feeds) => call<RunModelResult>({ type: 'runModel', modelId, feeds }),
    backendInfo: () => call<BackendInfo>({ type: 'backendInfo' }),
    setBackend: (pref) => call<BackendInfo>({ type: 'setBackend', pref }),
    onProgress: (cb) => subscribe(progress, cb),
    onNotice: (cb) => subscribe(notices, cb),
    simulateGpuLoss: () => call<boolean>({ type: 'simulateGpuLoss' }),
    engineChoices: () => call<EngineChoice[]>({ type: 'engineChoices' }),
    setModelEngine: (modelId, format) => call<EngineChoice[]>({ type: 'setModelEngine', modelId, format }),
    // Bytes are copied (not transferred) so the caller's buffers stay usable.
    registerModel: (entry, files) => call<RegisteredModel>({ type: 'registerModel', entry, files }),
    unregisterModel: (modelId) => call<boolean>({ type: 'unregisterModel', modelId }),
    dispose: () => {
      worker.terminate();
      pending.forEach((p) => p.reject(new InferenceError('WorkerError', 'inference client disposed')));
      pending.clear();
    },
  };
}
