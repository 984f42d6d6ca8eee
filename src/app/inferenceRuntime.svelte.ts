import type { BackendPref } from '../core/runtime/engine.ts';
import type { BackendInfo, RuntimeNotice } from '../core/runtime/modelHost.ts';
import type { DownloadProgress } from '../core/runtime/modelFiles.ts';
import type { InferenceClient } from '../worker/inference/inferenceClient.ts';
import { createInferencePool, inferencePoolPlan } from '../worker/inference/inferencePool.ts';
import type { InitResult } from '../worker/inference/protocol.ts';

const MANIFEST_URL = 'models/manifest.json';
/** Per-model engine choices (model id → 'onnx' | 'tfjs'), kept on this device between visits. */
const ENGINE_CHOICES_KEY = 'lunglens.engineChoices';

type EngineFormat = 'onnx' | 'tfjs';

/**
 * The app's inference workers (a pool: src/worker/inference/inferencePool.ts), started once: shows which
 * backend runs (badge), the model download progress and the one-time fallback notice. Failures are kept as
 * text for the UI; the rest of the app keeps working without models.
 */
export class InferenceRuntime {
  init = $state<InitResult | null>(null);
  backend = $state<BackendInfo | null>(null);
  error = $state<string | null>(null);
  notices = $state<RuntimeNotice[]>([]);
  downloads = $state<Record<string, DownloadProgress>>({});
  pref = $state<BackendPref>('auto');

  private client: InferenceClient | null = null;
  private starting: Promise<InferenceClient> | null = null;

  /** Starts the worker and reads the manifest (models download later, on first use). */
  start(pref: BackendPref = this.pref): Promise<InferenceClient> {
    this.starting ??= this.boot(pref);
    return this.starting;
  }

  async setBackend(pref: BackendPref): Promise<void> {
    this.pref = pref;
    try {
      const client = await this.start(pref);
      this.backend = await client.setBackend(pref);
    } catch (e) {
      this.error = message(e);
    }
  }

  get badge(): string {
    if (this.error) return 'Models unavailable';
    if (!this.backend) return 'Starting…';
    return this.backend.engines.map((e) => e.description).join(' · ') || 'No engine';
  }

  /** Remembers a user's engine choice so the next visit starts with it. */
  rememberEngine(modelId: string, format: EngineFormat): void {
    const saved = readEngineChoices();
    saved[modelId] = format;
    localStorage.setItem(ENGINE_CHOICES_KEY, JSON.stringify(saved));
  }

  dismissNotice(n: RuntimeNotice): void {
    this.notices = this.notices.filter((x) => x !== n);
  }

  private async boot(pref: BackendPref): Promise<InferenceClient> {
    const client = createInferencePool(inferencePoolPlan(navigator.hardwareConcurrency ?? 1, globalThis.crossOriginIsolated === true));
    client.onProgress((p) => (this.downloads = { ...this.downloads, [p.path]: p }));
    client.onNotice((n) => (this.notices = [...this.notices, n]));
    try {
      this.init = await client.init(MANIFEST_URL, pref);
      this.backend = this.init.backend;
      await restoreEngineChoices(client);
      this.error = null;
      this.client = client;
      return client;
    } catch (e) {
      client.dispose();
      this.starting = null; // a later click may retry (e.g. after the files are restored)
      this.error = `Could not start the models: ${message(e)}`;
      throw e;
    }
  }
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function readEngineChoices(): Record<string, EngineFormat> {
  try {
    const v = JSON.parse(localStorage.getItem(ENGINE_CHOICES_KEY) ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Record<string, EngineFormat>) : {};
  } catch {
    return {};
  }
}

/** A saved choice whose model is gone (or not convertible any more) is skipped, not fatal. */
async function restoreEngineChoices(client: InferenceClient): Promise<void> {
  for (const [modelId, format] of Object.entries(readEngineChoices())) {
    if (format !== 'tfjs') continue; // ONNX is the default
    await client.setModelEngine(modelId, format).catch(() => undefined);
  }
}
