import type { AnalysisContext } from '../analyses/analysisModule.ts';
import type { BackendPref, Engine, EngineSession, ModelBytes } from './engine.ts';
import {
  findModel, ManifestError, manifestProblems, ModelShapeError, outputDimsProblems, signatureProblems,
  type Manifest, type ModelEntry, type ModelFile,
} from './manifest.ts';
import { ModelFileMissingError, verifyModelBytes } from './modelFiles.ts';
import { SerialQueue } from './serialQueue.ts';
import type { ModelSession } from './session.ts';
import type { Tensor } from './tensor.ts';

/** Told to the user once: a GPU backend failed and the work moved to the CPU fallback. */
export interface RuntimeNotice {
  kind: 'backend-fallback';
  modelId: string;
  from: string;
  to: string;
  reason: string;
  message: string;
}

export interface ModelHostOptions {
  manifest: Manifest;
  engines: Partial<Record<ModelEntry['format'], Engine>>;
  /** Returns a file's bytes, already verified against its size and SHA-256. */
  loadFile(file: ModelFile, entry: ModelEntry): Promise<Uint8Array>;
  pref?: BackendPref;
  onNotice?(n: RuntimeNotice): void;
}

export interface BackendInfo {
  pref: BackendPref;
  /** Per engine in use: the backend it runs and the one-line diagnostics string. */
  engines: { engine: string; backend: string; description: string }[];
}

/**
 * Owns the sessions of one host (the inference worker, or the CLI): verified bytes →
 * engine session on the best backend for the user's preference, names checked against
 * the manifest at load and output dims after the first run, creation serialized, and the
 * GPU → CPU fallback: a WebGPU device loss or an EP/kernel error re-creates the session
 * on the engine's CPU backend and finishes the same request there, with one notice.
 */
export class ModelHost implements AnalysisContext {
  private pref: BackendPref;
  private readonly sessions = new Map<string, Promise<HostedSession>>();
  private readonly bytes = new Map<string, Promise<ModelBytes>>();
  private readonly queue = new SerialQueue();
  /** Engines whose GPU failed once: later sessions go straight to CPU (a lost device stays lost). */
  private readonly gpuDisabled = new Set<string>();
  private readonly noticed = new Set<string>();
  /** Per original model id: the format the user chose to run it with (see setModelEngine). */
  private readonly engineChoice = new Map<string, ModelEntry['format']>();
  /** Bring-your-own models: bytes given by the user, kept in memory only. */
  private readonly userFiles = new Map<string, ReadonlyMap<string, Uint8Array>>();

  /** The bundled entries (a frozen copy: the caller's manifest is never changed) and the user's. */
  private readonly bundled: readonly ModelEntry[];
  private user: readonly ModelEntry[] = [];
  private current: Manifest;

  constructor(private readonly opts: ModelHostOptions) {
    this.pref = opts.pref ?? 'auto';
    this.bundled = opts.manifest.models.map((m) => deepFreeze(structuredClone(m)));
    this.current = this.snapshot();
  }

  /** The models this host can run: bundled then bring-your-own; a new immutable object after each change. */
  get manifest(): Manifest {
    return this.current;
  }

  private snapshot(): Manifest {
    return Object.freeze({ schemaVersion: 1, models: Object.freeze([...this.bundled, ...this.user]) as ModelEntry[] });
  }

  getSession(requestedId: string): Promise<ModelSession> {
    const modelId = this.resolveModelId(requestedId);
    let s = this.sessions.get(modelId);
    if (!s) {
      s = this.open(modelId);
      this.sessions.set(modelId, s);
      s.catch(() => this.sessions.delete(modelId));
    }
    return s;
  }

  /**
   * The manifest entry that runs when an analysis asks for `modelId`: the original, or the variant
   * (`variantOf: modelId`) in the format the user chose; the latest registered variant wins.
   */
  resolveModelId(modelId: string): string {
    const format = this.engineChoice.get(modelId);
    if (!format) return modelId;
    const original = findModel(this.manifest, modelId);
    if (original.format === format) return modelId;
    const variants = this.manifest.models.filter((m) => m.variantOf === modelId && m.format === format);
    return variants.length ? variants[variants.length - 1].id : modelId;
  }

  /** Models that have variants, with the formats available and the one chosen (for the settings panel). */
  engineChoices(): { modelId: string; formats: ModelEntry['format'][]; chosen: ModelEntry['format'] }[] {
    const out: { modelId: string; formats: ModelEntry['format'][]; chosen: ModelEntry['format'] }[] = [];
    for (const m of this.manifest.models) {
      if (m.variantOf) continue;
      const formats = [...new Set([m.format, ...this.manifest.models.filter((v) => v.variantOf === m.id).map((v) => v.format)])];
      if (formats.length > 1) out.push({ modelId: m.id, formats, chosen: this.engineChoice.get(m.id) ?? m.format });
    }
    return out;
  }

  /** Run `modelId` (an original id) with the given format from now on; its open sessions are released. */
  async setModelEngine(modelId: string, format: ModelEntry['format']): Promise<void> {
    const original = findModel(this.manifest, modelId);
    if (original.variantOf) throw new Error(`${modelId} is a variant of ${original.variantOf}: choose the engine for ${original.variantOf}`);
    if (original.format !== format && !this.manifest.models.some((m) => m.variantOf === modelId && m.format === format)) {
      throw new Error(`${modelId} has no ${format} variant in the manifest`);
    }
    const before = this.resolveModelId(modelId);
    this.engineChoice.set(modelId, format);
    if (before !== this.resolveModelId(modelId)) await this.releaseSession(before);
  }

  /**
   * Bring-your-own model: a manifest entry plus the bytes of every file it lists (keyed by the entry's
   * path or its file name). The entry is validated against the manifest schema (with the bundled
   * models, so ids stay unique and `variantOf` must name one of them), every file against its size and
   * SHA-256, the session's input/output names against the entry, and the output shapes after one run
   * on a zero input. Nothing leaves the machine: the bytes stay in this host's memory.
   */
  async registerModel(entryJson: unknown, given: ReadonlyMap<string, Uint8Array>): Promise<ModelEntry> {
    const models = this.manifest.models;
    const problems = manifestProblems({ schemaVersion: 1, models: [...models, entryJson] })
      .filter((p) => p.startsWith(`models[${models.length}]`))
      .map((p) => p.replace(`models[${models.length}]`, 'entry'));
    if (problems.length) throw new ManifestError(problems);
    const entry = deepFreeze(structuredClone(entryJson) as ModelEntry);
    const files = new Map<string, Uint8Array>();
    for (const f of entry.files) {
      const bytes = given.get(f.path) ?? given.get(f.path.split('/').pop()!);
      if (!bytes) throw new ModelFileMissingError(f.path, `not among the chosen files (${[...given.keys()].join(', ') || 'none'})`);
      await verifyModelBytes(f, bytes);
      files.set(f.path, bytes);
    }
    this.user = [...this.user, entry];
    this.current = this.snapshot();
    this.userFiles.set(entry.id, files);
    try {
      const s = await this.getSession(entry.id);
      const dims = (entry.input.layout === 'NCHW'
        ? [1, entry.input.channels, entry.input.height, entry.input.width]
        : [1, entry.input.height, entry.input.width, entry.input.channels]);
      await s.run({ [entry.input.name]: { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims } });
      return entry;
    } catch (e) {
      await this.unregisterModel(entry.id);
      throw e;
    }
  }

  /** Forgets a bring-your-own model (bundled models cannot be removed). */
  async unregisterModel(modelId: string): Promise<void> {
    if (!this.userFiles.has(modelId)) throw new Error(`${modelId} is not a user-registered model`);
    await this.releaseSession(modelId);
    this.userFiles.delete(modelId);
    this.bytes.delete(modelId);
    this.user = this.user.filter((m) => m.id !== modelId);
    this.current = this.snapshot();
  }

  private async releaseSession(modelId: string): Promise<void> {
    const s = this.sessions.get(modelId);
    this.sessions.delete(modelId);
    await s?.then((x) => x.release(), () => undefined);
  }

  /** Switch backend preference; open sessions are released and re-created lazily. */
  async setBackend(pref: BackendPref): Promise<void> {
    this.pref = pref;
    this.gpuDisabled.clear();
    await this.releaseSessions();
  }

  async backendInfo(): Promise<BackendInfo> {
    const engines: BackendInfo['engines'] = [];
    // Only engines some model needs: probing TFJS loads its 1.6 MB bundle and GPU contexts.
    const formats = new Set(this.manifest.models.map((m) => m.format));
    for (const [format, engine] of Object.entries(this.opts.engines)) {
      if (!engine || !formats.has(format as ModelEntry['format'])) continue;
      const backend = (await this.candidates(engine))[0];
      engines.push({ engine: engine.id, backend, description: await engine.describe(backend) });
    }
    return { pref: this.pref, engines };
  }

  async release(): Promise<void> {
    await this.releaseSessions();
    this.bytes.clear();
  }

  private async releaseSessions(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((p) => p.then((s) => s.release(), () => undefined)));
  }

  private engineFor(entry: ModelEntry): Engine {
    const e = this.opts.engines[entry.format];
    if (!e) throw new Error(`${entry.id}: no engine for format "${entry.format}" in this host`);
    return e;
  }

  private async candidates(engine: Engine): Promise<string[]> {
    const all = await engine.backendsFor(this.pref);
    const cpu = all.filter((b) => !engine.isGpu(b));
    return this.gpuDisabled.has(engine.id) && cpu.length ? cpu : all;
  }

  private loadBytes(entry: ModelEntry): Promise<ModelBytes> {
    let b = this.bytes.get(entry.id);
    if (!b) {
      b = (async () => {
        const user = this.userFiles.get(entry.id);
        if (user) return { entry, files: user };
        const files = new Map<string, Uint8Array>();
        for (const f of entry.files) files.set(f.path, await this.opts.loadFile(f, entry));
        return { entry, files };
      })();
      this.bytes.set(entry.id, b);
      b.catch(() => this.bytes.delete(entry.id));
    }
    return b;
  }

  private async open(modelId: string): Promise<HostedSession> {
    const entry = findModel(this.manifest, modelId);
    const engine = this.engineFor(entry);
    const model = await this.loadBytes(entry);
    const inner = await this.createOn(engine, model, await this.candidates(engine));
    return new HostedSession(this, engine, model, inner);
  }

  /** Creates on the first backend that works; a GPU failure falls through to the next with a notice. */
  async createOn(engine: Engine, model: ModelBytes, backends: readonly string[]): Promise<EngineSession> {
    let lastError: unknown = new Error(`${model.entry.id}: no backend available`);
    for (const [i, backend] of backends.entries()) {
      try {
        const s = await this.queue.run(() => engine.createSession(model, backend));
        const problems = signatureProblems(model.entry, s.signature);
        if (problems.length) {
          await s.release();
          throw new ModelShapeError(problems);
        }
        return s;
      } catch (e) {
        if (e instanceof ModelShapeError || !engine.isGpu(backend) || i === backends.length - 1) throw e;
        lastError = e;
        this.gpuFailed(engine, model.entry.id, backend, backends[i + 1], `could not create the session: ${errText(e)}`);
      }
    }
    throw lastError;
  }

  gpuFailed(engine: Engine, modelId: string, from: string, to: string, reason: string): void {
    this.gpuDisabled.add(engine.id);
    const key = `${engine.id}:${from}`;
    if (this.noticed.has(key)) return;
    this.noticed.add(key);
    this.opts.onNotice?.({
      kind: 'backend-fallback', modelId, from, to, reason,
      message: `${from === 'webgpu' ? 'WebGPU' : from} failed (${reason}); continuing on ${to === 'wasm' ? 'the CPU (WASM)' : to}. Results are unaffected, only slower.`,
    });
  }

  async cpuBackends(engine: Engine): Promise<string[]> {
    return (await engine.backendsFor(this.pref)).filter((b) => !engine.isGpu(b));
  }
}

/** The session analyses hold: delegates to an engine session and swaps it for a CPU one on GPU failure. */
class HostedSession implements ModelSession {
  private lostReason: string | null = null;
  private dimsChecked = false;

  constructor(
    private readonly host: ModelHost,
    private readonly engine: Engine,
    private readonly model: ModelBytes,
    private inner: EngineSession,
  ) {
    this.watch(inner);
  }

  get modelId(): string {
    return this.model.entry.id;
  }

  get entry(): ModelEntry {
    return this.model.entry;
  }

  get backend(): string {
    return this.inner.backend;
  }

  private watch(s: EngineSession): void {
    s.lost?.then((reason) => {
      if (this.inner === s) this.lostReason = reason;
    });
  }

  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    for (;;) {
      if (this.lostReason) await this.fallBack(this.lostReason);
      const s = this.inner;
      let out: Record<string, Tensor>;
      try {
        out = await s.run(feeds);
      } catch (e) {
        if (!this.engine.isGpu(s.backend)) throw e;
        await this.fallBack(`run failed: ${errText(e)}`);
        continue;
      }
      // A device lost during the run may have produced garbage: redo it on the fallback.
      await Promise.resolve();
      if (this.lostReason) continue;
      if (!this.dimsChecked) {
        const problems = outputDimsProblems(this.model.entry, out);
        if (problems.length) throw new ModelShapeError(problems);
        this.dimsChecked = true;
      }
      return out;
    }
  }

  private async fallBack(reason: string): Promise<void> {
    const from = this.inner.backend;
    const cpu = await this.host.cpuBackends(this.engine);
    if (!cpu.length) throw new Error(`${this.modelId}: ${reason}, and no CPU fallback backend`);
    this.host.gpuFailed(this.engine, this.modelId, from, cpu[0], reason);
    const old = this.inner;
    this.inner = await this.host.createOn(this.engine, this.model, cpu);
    this.lostReason = null;
    this.watch(this.inner);
    await old.release().catch(() => undefined);
  }

  release(): Promise<void> {
    return this.inner.release();
  }
}

function errText(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.length > 200 ? s.slice(0, 197) + '...' : s;
}

/** Freezes an entry and everything in it (entries are shared by sessions, reports and the settings panel). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
