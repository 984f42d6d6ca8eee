/**
 * The CXR input gate (issue 11): is this a chest radiograph at all? Runs before the four CXR models so
 * that a blank image, noise, a CT slice or another non-radiograph is reported "not assessed" with the
 * reason instead of getting a confident class. Every limit comes from the gate model's manifest entry
 * (chosen on real radiographs only: models/cxr-input-gate/CARD.md). In order, the first refusal wins:
 *  0. a DICOM whose Modality names another kind of imaging (CT, MR, ...: `NOT_RADIOGRAPH`), e.g. a CT slice
 *     the user asked to read as a radiograph;
 *  1. no model, on the gate's 64-px 8-bit input: grey-level spread (population std) below `extra.minStd`
 *     -> blank or near-uniform; mean correlation of neighbouring pixels below `extra.minNeighbourCorrelation`
 *     -> noise (a radiograph is smooth at 64 px);
 *  2. a small autoencoder trained on real radiographs (Chester-style): its output `scores` (reconstruction
 *     error, distance of the code to radiographs' codes), each above its `extra.thresholds` entry -> unlike
 *     the radiographs the models were trained on.
 */
import type { AnalysisContext, ModelRef } from '../analysisModule.ts';
import type { Raster } from '../../imageOps/raster.ts';
import { modelInput } from '../../imageOps/modelInput.ts';
import type { ModelEntry } from '../../runtime/manifest.ts';
import { extraNumber, extraStrings, onlyOutput } from '../../runtime/modelFacts.ts';

export const CXR_GATE_MODEL = 'cxr-input-gate';

/** What the gate measured when it refused an image: the check, its value and the limit it crossed. */
export interface CxrGateMeasure {
  check: string;
  value: number | string;
  limit: number | string;
}

/**
 * DICOM modalities that are never a chest radiograph (cross-sectional, ultrasound, nuclear, mammography,
 * angiography / fluoroscopy, dental). CR, DX and anything else (OT, SC, none) go on to the image checks.
 */
const NOT_RADIOGRAPH = new Set(['CT', 'MR', 'PT', 'NM', 'US', 'MG', 'XA', 'RF', 'IO', 'PX']);

/** `scores`: the model's scores when it ran (not printed: a passing record reads as before the gate). */
export type CxrGateVerdict =
  | { passed: true; model: ModelRef; scores: number[] }
  | { passed: false; model: ModelRef; reason: string; measure: CxrGateMeasure; scores?: number[] };

/** Population standard deviation of a raster's values (training/cxr_gate/train.py `std8`). */
export function spread(data: Float32Array): number {
  let sum = 0;
  for (const v of data) sum += v;
  const mean = sum / data.length;
  let sq = 0;
  for (const v of data) sq += (v - mean) ** 2;
  return Math.sqrt(sq / data.length);
}

/** Pearson correlation of pixel pairs (i, i + step) over the pixels `first` accepts; 0 when either side is flat. */
function pairCorrelation(r: Raster, step: number, first: (x: number, y: number) => boolean): number {
  const a: number[] = [];
  const b: number[] = [];
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      if (!first(x, y)) continue;
      const i = y * r.width + x;
      a.push(r.data[i]);
      b.push(r.data[i + step]);
    }
  }
  const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0, aa = 0, bb = 0;
  for (let k = 0; k < a.length; k++) {
    ab += (a[k] - ma) * (b[k] - mb);
    aa += (a[k] - ma) ** 2;
    bb += (b[k] - mb) ** 2;
  }
  const den = Math.sqrt(aa * bb);
  return den > 0 ? ab / den : 0;
}

/** Mean of the horizontal and vertical lag-1 correlations (training/cxr_gate/train.py `neighbour_corr`). */
export function neighbourCorrelation(r: Raster): number {
  const h = pairCorrelation(r, 1, (x) => x < r.width - 1);
  const v = pairCorrelation(r, r.width, (_, y) => y < r.height - 1);
  return (h + v) / 2;
}

const digits = (v: number) => Number(v.toPrecision(4));

function thresholdsOf(entry: ModelEntry): number[] {
  const t = entry.extra?.thresholds;
  if (!Array.isArray(t) || !t.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error(`${entry.id}: manifest extra.thresholds must be an array of numbers`);
  }
  return t as number[];
}

/**
 * Judges one 8-bit radiograph (cxrGray8's output) with the gate model the host runs for CXR_GATE_MODEL.
 * `dicomModality`: the Modality of a DICOM (NIfTI: CT) image, '' for PNG/JPEG.
 */
export async function cxrInputGate(gray: Raster, ctx: AnalysisContext, dicomModality = ''): Promise<CxrGateVerdict> {
  const session = await ctx.getSession(CXR_GATE_MODEL);
  const { entry } = session;
  const model = { id: entry.id, version: entry.version };
  if (NOT_RADIOGRAPH.has(dicomModality.toUpperCase())) {
    const measure = { check: 'DICOM modality', value: dicomModality, limit: 'CR, DX or other' };
    return { passed: false, model, measure, reason: `not a chest radiograph: the file says its modality is ${dicomModality}` };
  }
  const input = modelInput(gray, entry.input);
  const refuse = (check: string, value: number, limit: number, why: string, scores?: number[]): CxrGateVerdict => {
    const measure = { check, value: digits(value), limit };
    return { passed: false, model, measure, scores, reason: `not a chest radiograph: ${why} (${check} ${measure.value} ${value > limit ? '>' : '<'} ${limit})` };
  };
  const minStd = extraNumber(entry, 'minStd');
  const std = spread(input.raster.data);
  if (std < minStd) return refuse('grey-level spread', std, minStd, 'blank or near-uniform image');
  const minCorrelation = extraNumber(entry, 'minNeighbourCorrelation');
  const corr = neighbourCorrelation(input.raster);
  if (corr < minCorrelation) return refuse('neighbour correlation', corr, minCorrelation, 'noise, no image structure');

  const name = onlyOutput(entry).name;
  const out = (await session.run({ [entry.input.name]: input.tensor }))[name];
  if (!out) throw new Error(`${entry.id}: output '${name}' missing`);
  const names = extraStrings(entry, 'scoreNames');
  const thresholds = thresholdsOf(entry);
  if (names.length !== thresholds.length || out.data.length < thresholds.length) {
    throw new Error(`${entry.id}: ${out.data.length} scores, ${names.length} extra.scoreNames, ${thresholds.length} extra.thresholds`);
  }
  const scores = Array.from(out.data.subarray(0, thresholds.length));
  for (const [k, limit] of thresholds.entries()) {
    // NaN (a broken input) is refused too
    if (!(scores[k] <= limit)) return refuse(names[k], scores[k], limit, 'unlike the radiographs the models were trained on', scores);
  }
  return { passed: true, model, scores };
}
