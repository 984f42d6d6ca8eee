/**
 * Types and validation for models/manifest.json (schema: models/README.md). Every
 * error names the JSON path of the offending field, e.g.
 * `models[2].input.height: expected positive integer, got 0`, so a hospital dropping in
 * its own export sees exactly what to fix.
 */

export type Decode = 'linear' | 'sigmoid' | 'softmax' | 'softmax-expectation' | 'logits' | 'boxes';
const DECODES: readonly Decode[] = ['linear', 'sigmoid', 'softmax', 'softmax-expectation', 'logits', 'boxes'];
const CROPS = ['none', 'lung-box', 'letterbox'] as const;
/** `area` = PyTorch `F.interpolate(mode='area')` (adaptive average pooling), used by the CXR models. */
const RESIZES = ['bilinear-half-pixel', 'area', 'none'] as const;
const QUANTIZATIONS = ['none', 'int8-weights', 'uint8-weights', 'float16'] as const;

export interface ModelFile {
  /** Relative to models/. */
  path: string;
  sha256: string;
  bytes: number;
  /** 'model' (the .onnx / model.json) or 'weights' (tfjs shards), 'data' (ONNX external data). */
  role: string;
}

/** Manifest `input.intensity`: x = (pixel8 * scale - mean[c]) / std[c]. */
export interface IntensitySpec {
  source: string;
  scale: number;
  mean: number[];
  std: number[];
}

export interface InputSpec {
  name: string;
  layout: 'NCHW' | 'NHWC';
  height: number;
  width: number;
  channels: number;
  dtype: 'float32';
  intensity: IntensitySpec;
  crop: (typeof CROPS)[number];
  resize: (typeof RESIZES)[number];
}

export interface OutputSpec {
  name: string;
  /** -1 = dynamic (batch). */
  shape: number[];
  decode: Decode;
}

export interface ModelEntry {
  id: string;
  name: string;
  task: string;
  modality: 'ct' | 'cxr';
  format: 'onnx' | 'tfjs';
  version: string;
  license: string;
  card: string;
  quantization?: (typeof QUANTIZATIONS)[number];
  files: ModelFile[];
  input: InputSpec;
  outputs: OutputSpec[];
  labels?: string[];
  extra?: Record<string, unknown>;
  /**
   * Id of the model this one is a conversion of (e.g. a TFJS variant of an ONNX model): same input,
   * outputs and decoding. Analyses ask for the original id; the host runs the variant the user chose.
   */
  variantOf?: string;
}

export interface Manifest {
  schemaVersion: 1;
  models: ModelEntry[];
}

export class ManifestError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid model manifest:\n  ${problems.join('\n  ')}`);
    this.name = 'ManifestError';
  }
}

/** All problems found (empty = valid). */
export function manifestProblems(json: unknown): string[] {
  const p: string[] = [];
  const v = new Checker(p);
  if (!v.object(json, '(root)')) return p;
  if (json.schemaVersion !== 1) p.push(`schemaVersion: expected 1, got ${show(json.schemaVersion)}`);
  if (!Array.isArray(json.models)) {
    p.push(`models: expected array, got ${show(json.models)}`);
    return p;
  }
  const ids = new Set<string>();
  json.models.forEach((m: unknown, i: number) => {
    const at = `models[${i}]`;
    if (!v.object(m, at)) return;
    if (v.str(m.id, `${at}.id`, /^[a-z0-9][a-z0-9._-]*$/)) {
      if (ids.has(m.id as string)) p.push(`${at}.id: duplicate id "${m.id}"`);
      ids.add(m.id as string);
    }
    v.str(m.name, `${at}.name`);
    v.str(m.task, `${at}.task`, /^[a-z0-9]+(-[a-z0-9]+)+$/);
    v.oneOf(m.modality, `${at}.modality`, ['ct', 'cxr']);
    v.oneOf(m.format, `${at}.format`, ['onnx', 'tfjs']);
    v.str(m.version, `${at}.version`);
    v.str(m.license, `${at}.license`);
    v.str(m.card, `${at}.card`);
    if (m.quantization !== undefined) v.oneOf(m.quantization, `${at}.quantization`, QUANTIZATIONS);
    if (v.array(m.files, `${at}.files`, 1)) {
      (m.files as unknown[]).forEach((f, j) => {
        const fa = `${at}.files[${j}]`;
        if (!v.object(f, fa)) return;
        if (v.str(f.path, `${fa}.path`) && (/(^|\/)\.\.(\/|$)/.test(f.path as string) || (f.path as string).startsWith('/'))) {
          p.push(`${fa}.path: must be relative to models/ without "..", got ${show(f.path)}`);
        }
        v.str(f.sha256, `${fa}.sha256`, /^[0-9a-f]{64}$/);
        v.int(f.bytes, `${fa}.bytes`, 1);
        v.str(f.role, `${fa}.role`);
      });
      if (!(m.files as { role?: unknown }[]).some((f) => f && f.role === 'model')) {
        p.push(`${at}.files: expected one file with role "model"`);
      }
    }
    const inp = m.input;
    if (v.object(inp, `${at}.input`)) {
      const ia = `${at}.input`;
      v.str(inp.name, `${ia}.name`);
      v.oneOf(inp.layout, `${ia}.layout`, ['NCHW', 'NHWC']);
      v.int(inp.height, `${ia}.height`, 1);
      v.int(inp.width, `${ia}.width`, 1);
      v.int(inp.channels, `${ia}.channels`, 1);
      v.oneOf(inp.dtype, `${ia}.dtype`, ['float32']);
      v.oneOf(inp.crop, `${ia}.crop`, CROPS);
      v.oneOf(inp.resize, `${ia}.resize`, RESIZES);
      const it = inp.intensity;
      if (v.object(it, `${ia}.intensity`)) {
        v.str(it.source, `${ia}.intensity.source`);
        v.num(it.scale, `${ia}.intensity.scale`);
        const n = typeof inp.channels === 'number' ? inp.channels : 1;
        for (const key of ['mean', 'std'] as const) {
          const arr = it[key];
          const ka = `${ia}.intensity.${key}`;
          if (!v.array(arr, ka, 1)) continue;
          const a = arr as unknown[];
          if (a.length !== 1 && a.length !== n) p.push(`${ka}: expected 1 or ${n} values (channels), got ${a.length}`);
          a.forEach((x, k) => {
            if (v.num(x, `${ka}[${k}]`) && key === 'std' && !((x as number) > 0)) p.push(`${ka}[${k}]: expected > 0, got ${x}`);
          });
        }
      }
    }
    if (v.array(m.outputs, `${at}.outputs`, 1)) {
      (m.outputs as unknown[]).forEach((o, j) => {
        const oa = `${at}.outputs[${j}]`;
        if (!v.object(o, oa)) return;
        v.str(o.name, `${oa}.name`);
        v.oneOf(o.decode, `${oa}.decode`, DECODES);
        if (v.array(o.shape, `${oa}.shape`, 1)) {
          (o.shape as unknown[]).forEach((d, k) => {
            if (!(Number.isInteger(d) && ((d as number) >= 1 || d === -1))) {
              p.push(`${oa}.shape[${k}]: expected positive integer or -1, got ${show(d)}`);
            }
          });
        }
      });
    }
    if (m.labels !== undefined && v.array(m.labels, `${at}.labels`, 0)) {
      (m.labels as unknown[]).forEach((l, k) => v.str(l, `${at}.labels[${k}]`));
    }
    if (m.extra !== undefined) v.object(m.extra, `${at}.extra`);
  });
  json.models.forEach((m: any, i: number) => {
    if (!m || typeof m !== 'object' || m.variantOf === undefined) return;
    const at = `models[${i}].variantOf`;
    const orig = typeof m.variantOf === 'string' ? json.models.find((o: any) => o && o.id === m.variantOf) : undefined;
    if (!orig) p.push(`${at}: expected the id of another model in the manifest, got ${show(m.variantOf)}`);
    else if (orig === m || orig.format === m.format) p.push(`${at}: "${m.variantOf}" must be a model of another format than ${show(m.format)}`);
    else if (orig.variantOf !== undefined) p.push(`${at}: "${m.variantOf}" is itself a variant; point to the original`);
  });
  return p;
}

/** Validates and returns the typed manifest; throws ManifestError listing every bad field. */
export function parseManifest(json: unknown): Manifest {
  const problems = manifestProblems(json);
  if (problems.length) throw new ManifestError(problems);
  return json as Manifest;
}

export function findModel(manifest: Manifest, modelId: string): ModelEntry {
  const m = manifest.models.find((e) => e.id === modelId);
  if (!m) throw new Error(`Model "${modelId}" is not in the manifest (has: ${manifest.models.map((e) => e.id).join(', ') || 'none'})`);
  return m;
}

export function modelFile(entry: ModelEntry): ModelFile {
  return entry.files.find((f) => f.role === 'model')!;
}

/** Input dims as the engine expects them, batch 1. */
export function inputDims(input: InputSpec): number[] {
  return input.layout === 'NCHW'
    ? [1, input.channels, input.height, input.width]
    : [1, input.height, input.width, input.channels];
}

/** What a loaded session exposes, engine-neutral. */
export interface SessionSignature {
  inputNames: readonly string[];
  outputNames: readonly string[];
}

/**
 * Checks a loaded session's input/output names against the manifest (names are known
 * at load time; dims only after a run, see checkOutputDims). Returns problems, each
 * naming the manifest field.
 */
export function signatureProblems(entry: ModelEntry, sig: SessionSignature): string[] {
  const p: string[] = [];
  if (!sig.inputNames.includes(entry.input.name)) {
    p.push(`${entry.id}: input.name "${entry.input.name}" not in the model (model inputs: ${sig.inputNames.join(', ')})`);
  }
  entry.outputs.forEach((o, j) => {
    if (!sig.outputNames.includes(o.name)) {
      p.push(`${entry.id}: outputs[${j}].name "${o.name}" not in the model (model outputs: ${sig.outputNames.join(', ')})`);
    }
  });
  return p;
}

/** Checks actual output dims after the first run against outputs[j].shape (-1 matches anything). */
export function outputDimsProblems(entry: ModelEntry, outputs: Record<string, { dims: readonly number[] }>): string[] {
  const p: string[] = [];
  entry.outputs.forEach((o, j) => {
    const t = outputs[o.name];
    if (!t) return;
    const ok = t.dims.length === o.shape.length && o.shape.every((d, k) => d === -1 || d === t.dims[k]);
    if (!ok) p.push(`${entry.id}: outputs[${j}].shape [${o.shape}] disagrees with the model's output [${t.dims}]`);
  });
  return p;
}

export class ModelShapeError extends Error {
  constructor(readonly problems: string[]) {
    super(`Model does not match its manifest entry:\n  ${problems.join('\n  ')}`);
    this.name = 'ModelShapeError';
  }
}

function show(x: unknown): string {
  if (x === undefined) return 'nothing';
  const s = JSON.stringify(x);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

/** Small typed checks that push `path: expected ..., got ...`. */
class Checker {
  constructor(private readonly p: string[]) {}
  object(x: unknown, at: string): x is Record<string, any> {
    if (x && typeof x === 'object' && !Array.isArray(x)) return true;
    this.p.push(`${at}: expected object, got ${show(x)}`);
    return false;
  }
  array(x: unknown, at: string, minLength: number): boolean {
    if (Array.isArray(x) && x.length >= minLength) return true;
    this.p.push(`${at}: expected array${minLength ? ` with at least ${minLength} item` : ''}, got ${show(x)}`);
    return false;
  }
  str(x: unknown, at: string, pattern?: RegExp): boolean {
    if (typeof x === 'string' && x.length > 0 && (!pattern || pattern.test(x))) return true;
    this.p.push(`${at}: expected ${pattern ? `string matching ${pattern}` : 'non-empty string'}, got ${show(x)}`);
    return false;
  }
  num(x: unknown, at: string): boolean {
    if (typeof x === 'number' && Number.isFinite(x)) return true;
    this.p.push(`${at}: expected number, got ${show(x)}`);
    return false;
  }
  int(x: unknown, at: string, min: number): boolean {
    if (Number.isInteger(x) && (x as number) >= min) return true;
    this.p.push(`${at}: expected ${min === 1 ? 'positive' : `>= ${min}`} integer, got ${show(x)}`);
    return false;
  }
  oneOf(x: unknown, at: string, allowed: readonly string[]): boolean {
    if (typeof x === 'string' && allowed.includes(x)) return true;
    this.p.push(`${at}: expected one of ${allowed.join(' | ')}, got ${show(x)}`);
    return false;
  }
}
