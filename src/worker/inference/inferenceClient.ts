import type { MedicalImage } from '../../core/image/medicalImage.ts';
import type { BackendPref } from '../../core/runtime/engine.ts';
import type { BackendInfo, RuntimeNotice } from '../../core/runtime/modelHost.ts';
import type { DownloadProgress } from '../../core/runtime/modelFiles.ts';
import type { Tensor } from '../../core/runtime/tensor.ts';
import { createRpcClient, type WithoutId, type WorkerLike } from '../rpc.ts';
import type { EngineChoice, InitResult, RegisteredModel, RunModelResult, WorkerRequest } from './protocol.ts';

export interface InferenceClient {
  /** Reads and validates the manifest (URL relative to the page), picks backends. */
  init(manifestUrl: string, backendPref?: BackendPref, opts?: { wasmThreads?: number }): Promise<InitResult>;
  /** Downloads (with progress events), verifies and opens a model's session; returns its backend. */
  loadModel(modelId: string): Promise<{ backend: string }>;
  /** Opens the models' sessions and runs each a few times, so the first analysed slice runs at full speed. */
  warmUp(modelIds: readonly string[]): Promise<boolean>;
  runAnalysis<R>(analysisId: string, image: MedicalImage, slice?: unknown): Promise<R>;
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
class InferenceError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Starts the inference worker and returns its main-thread API. */
export function createInferenceClient(
  worker: WorkerLike = new Worker(new URL('./inferenceWorker.ts', import.meta.url), { type: 'module', name: 'lunglens-inference' }) as unknown as WorkerLike,
): InferenceClient {
  const progress = new Set<(p: DownloadProgress) => void>();
  const notices = new Set<(n: RuntimeNotice) => void>();
  const rpc = createRpcClient<WorkerRequest>(worker, {
    toError: (e) => new InferenceError(e.name, e.message),
    onEvent(event, data) {
      if (event === 'progress') progress.forEach((cb) => cb(data as DownloadProgress));
      else if (event === 'notice') notices.forEach((cb) => cb(data as RuntimeNotice));
    },
  });
  const call = <T>(body: WithoutId<WorkerRequest>) => rpc.call<T>(body);

  const subscribe = <T>(set: Set<T>, cb: T) => {
    set.add(cb);
    return () => void set.delete(cb);
  };

  return {
    init: (manifestUrl, pref = 'auto', opts = {}) =>
      call<InitResult>({ type: 'init', manifestUrl: new URL(manifestUrl, location.href).href, pref, ...opts }),
    loadModel: (modelId) => call({ type: 'loadModel', modelId }),
    warmUp: (modelIds) => call<boolean>({ type: 'warmUp', modelIds: [...modelIds] }),
    runAnalysis: <R>(analysisId: string, image: MedicalImage, slice?: unknown) => call<R>({ type: 'runAnalysis', analysisId, image, slice }),
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
    dispose: () => rpc.dispose('inference client disposed'),
  };
}
