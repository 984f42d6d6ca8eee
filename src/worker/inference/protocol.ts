import type { MedicalImage } from '../../core/image/medicalImage.ts';
import type { BackendPref } from '../../core/runtime/engine.ts';
import type { BackendInfo } from '../../core/runtime/modelHost.ts';
import type { Tensor } from '../../core/runtime/tensor.ts';

/**
 * Main thread → inference worker. Every request carries an id echoed by its reply (src/worker/rpc.ts); the
 * worker also broadcasts events `progress` (DownloadProgress) and `notice` (RuntimeNotice).
 */
export type WorkerRequest =
  /** `wasmThreads`: ONNX Runtime's WASM threads in this worker (default: min(4, cores) when cross-origin isolated). */
  | { id: number; type: 'init'; manifestUrl: string; pref: BackendPref; wasmThreads?: number }
  | { id: number; type: 'loadModel'; modelId: string }
  /** Opens the models' sessions and runs each a few times on a blank input (before a series is analysed). */
  | { id: number; type: 'warmUp'; modelIds: string[] }
  | { id: number; type: 'runModel'; modelId: string; feeds: Record<string, Tensor> }
  /** `slice`: the module's `sliceContext` for this image, when the host prepared the series. */
  | { id: number; type: 'runAnalysis'; analysisId: string; image: MedicalImage; slice?: unknown }
  | { id: number; type: 'backendInfo' }
  | { id: number; type: 'setBackend'; pref: BackendPref }
  /** Test hook: destroys the WebGPU device as a driver reset would. */
  | { id: number; type: 'simulateGpuLoss' }
  /** Run an original model id with another format's variant from now on. */
  | { id: number; type: 'setModelEngine'; modelId: string; format: 'onnx' | 'tfjs' }
  /** Bring-your-own model: a manifest entry + its files' bytes (by file name or entry path); memory only. */
  | { id: number; type: 'registerModel'; entry: unknown; files: Record<string, Uint8Array> }
  | { id: number; type: 'unregisterModel'; modelId: string }
  | { id: number; type: 'engineChoices' };

/** A model that has variants in other formats, and the format that runs when it is asked for. */
export interface EngineChoice {
  modelId: string;
  formats: ('onnx' | 'tfjs')[];
  chosen: 'onnx' | 'tfjs';
}

export interface ModelSummary {
  id: string;
  name: string;
  task: string;
  modality: 'ct' | 'cxr';
  format: 'onnx' | 'tfjs';
  bytes: number;
  /** Set on a conversion of another model (e.g. its TFJS variant). */
  variantOf?: string;
}

export interface InitResult {
  models: ModelSummary[];
  analyses: { id: string; modality: 'ct' | 'cxr'; models: readonly string[] }[];
  backend: BackendInfo;
  /** Models selectable per engine (settings: "engine: ONNX Runtime / TensorFlow.js"). */
  engineChoices?: EngineChoice[];
}

/** A bring-your-own model after validation and a first run (its backend). */
export interface RegisteredModel extends ModelSummary {
  backend: string;
}

export interface RunModelResult {
  outputs: Record<string, Tensor>;
  /** Backend that produced these outputs (after any fallback). */
  backend: string;
  /** The session's run alone, in the worker (without the message round trip), ms. */
  runMs: number;
}
