import type { Tensor } from './tensor.ts';

/** One loaded model on one backend. Implemented by the ORT and TFJS engines. */
export interface InferenceSession {
  readonly modelId: string;
  /** Backend actually running, e.g. 'webgpu', 'wasm', 'cpu' (node), 'tfjs-webgl'. */
  readonly backend: string;
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}
