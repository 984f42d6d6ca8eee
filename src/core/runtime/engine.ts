import type { ModelEntry, SessionSignature } from './manifest.ts';
import type { InferenceSession } from './session.ts';

/** The user's setting. `webgl` only means something to the TFJS engine. */
export type BackendPref = 'auto' | 'webgpu' | 'wasm' | 'webgl';

/** A model's verified bytes, keyed by manifest file path. */
export interface ModelBytes {
  entry: ModelEntry;
  files: ReadonlyMap<string, Uint8Array>;
}

/** A session as an engine creates it: the engine-neutral InferenceSession plus what the host needs. */
export interface EngineSession extends InferenceSession {
  readonly signature: SessionSignature;
  /** GPU backends: resolves with a reason when the device is lost (the session is then unusable). */
  readonly lost?: Promise<string>;
}

/**
 * One way of running models (onnxruntime-web, onnxruntime-node, TFJS). The manifest's
 * `format` picks the engine; the engine maps the user's BackendPref onto concrete
 * backends it detected on this device, best first, the last one being the CPU fallback.
 */
export interface Engine {
  readonly id: 'ort-web' | 'ort-node' | 'tfjs';
  backendsFor(pref: BackendPref): Promise<string[]>;
  createSession(model: ModelBytes, backend: string): Promise<EngineSession>;
  /** One line users can paste into a bug report, e.g. "WebGPU · SwiftShader Device (software adapter)". */
  describe(backend: string): Promise<string>;
  /** Backends that run on a GPU (a failure there falls back to CPU). */
  isGpu(backend: string): boolean;
}
