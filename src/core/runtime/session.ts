import type { ModelEntry } from './manifest.ts';
import type { Tensor } from './tensor.ts';

/** One loaded model on one backend. Implemented by the ORT and TFJS engines. */
export interface InferenceSession {
  readonly modelId: string;
  /** Backend actually running, e.g. 'webgpu', 'wasm', 'cpu' (node), 'tfjs-webgl'. */
  readonly backend: string;
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

/**
 * The session an analysis gets: plus the manifest entry of the model that actually runs (a variant or a
 * bring-your-own model has its own input size, intensity and outputs), which drives pre/post-processing.
 */
export interface ModelSession extends InferenceSession {
  readonly entry: ModelEntry;
}
