import type { AnalysisContext, ImageAnalysis, ImageMask } from '../analysis.ts';
import type { MedicalImage } from '../../image/medicalImage.ts';
import type { Raster } from '../../imageOps/raster.ts';
import { inputToSource, type Placement } from '../../imageOps/placement.ts';
import type { Tensor } from '../../runtime/tensor.ts';
import { softmax } from '../../postprocess/activations.ts';
import { nms } from '../../postprocess/nms.ts';
import { weightedBoxFusion } from '../../postprocess/weightedBoxFusion.ts';
import { toSourceGrid, threshold, maskArea } from '../../postprocess/maskOps.ts';
import type { DetectionBox } from './detectionBox.ts';
import { decodeYoloGrid } from './yoloGridDecode.ts';
import { decodeCenterNet } from './centerNetDecode.ts';
import { cxrGray8, prepareCxrInput, type CxrInput } from './cxrPreprocess.ts';
import { CXR_DETECTION, CXR_INPUT, CXR_LABELS, CXR_MODEL_IDS } from './cxrModelSpec.ts';

export interface CxrClassification {
  label: string;
  probabilities: Record<string, number>;
}

/** All boxes are in the input image's pixel coordinates. */
export interface CxrDetections {
  A: DetectionBox[];
  B: DetectionBox[];
  ensemble: DetectionBox[];
}

export interface CxrResult {
  classification: CxrClassification;
  detections: CxrDetections;
  /** Infection pixels inside the lung mask / lung pixels, in % (0 when no lung was found). */
  infectionPercentOfLung: number;
  masks: { lesion: ImageMask; lung: ImageMask };
}

export interface CxrOptions {
  /** Boxes below this score are dropped from the result (the mAP evaluation passes CXR_DETECTION.scoreMin). */
  scoreThreshold?: number;
}

/** Raw model outputs by model id, for parity tests and evaluation. */
export type CxrRawOutputs = Record<string, Tensor>;

/** Runs the four CXR models on one prepared input. */
export async function runCxrModels(input: CxrInput, ctx: AnalysisContext): Promise<CxrRawOutputs> {
  const out: CxrRawOutputs = {};
  const outputName: Record<string, string> = {
    [CXR_MODEL_IDS.segmentation]: 'logits',
    [CXR_MODEL_IDS.classification]: 'logits',
    [CXR_MODEL_IDS.detectorA]: 'head',
    [CXR_MODEL_IDS.detectorB]: 'head',
  };
  // one model at a time: sessions share the worker / the CLI's single thread budget
  for (const [id, name] of Object.entries(outputName)) {
    const session = await ctx.getSession(id);
    const res = await session.run({ [CXR_INPUT.name]: input.tensor });
    const t = res[name];
    if (!t) throw new Error(`${id}: output '${name}' missing`);
    out[id] = t;
  }
  return out;
}

/** Decodes the raw outputs into the user-facing result at the input's size. */
export function decodeCxrOutputs(raw: CxrRawOutputs, placement: Placement, opts: CxrOptions = {}): CxrResult {
  const size = CXR_INPUT.size;
  const cls = raw[CXR_MODEL_IDS.classification];
  const probs = softmax(cls.data, cls.dims, 1);
  let best = 0;
  for (let k = 1; k < CXR_LABELS.length; k++) if (probs[k] > probs[best]) best = k;
  const probabilities: Record<string, number> = {};
  CXR_LABELS.forEach((l, k) => { probabilities[l] = probs[k]; });

  const seg = raw[CXR_MODEL_IDS.segmentation];
  const plane = size * size;
  const lungMask = threshold(toSourceGrid(seg.data.subarray(0, plane), placement, -1), 0);
  const infMask = threshold(toSourceGrid(seg.data.subarray(plane, 2 * plane), placement, -1), 0);
  let infInLung = 0;
  for (let i = 0; i < lungMask.length; i++) if (lungMask[i] && infMask[i]) infInLung++;
  const lungPx = maskArea(lungMask);

  const d = CXR_DETECTION;
  const nmsOpts = { iouThreshold: d.nmsIou, maxBoxes: d.maxDetections };
  const a = nms(decodeYoloGrid(raw[CXR_MODEL_IDS.detectorA], d.yoloStride, size, d.scoreMin), nmsOpts);
  const b = nms(decodeCenterNet(raw[CXR_MODEL_IDS.detectorB], d.centerNetStride, size, d.scoreMin), nmsOpts);
  const ens = weightedBoxFusion([a, b], { iouThreshold: d.wbfIou });
  const keep = opts.scoreThreshold ?? d.displayScore;
  const toInput = (boxes: DetectionBox[]) => boxes.filter((x) => x.score >= keep).map((x) => boxToSource(x, placement));

  return {
    classification: { label: CXR_LABELS[best], probabilities },
    detections: { A: toInput(a), B: toInput(b), ensemble: toInput(ens) },
    infectionPercentOfLung: lungPx > 0 ? (100 * infInLung) / lungPx : 0,
    masks: {
      lesion: { rows: placement.sourceHeight, columns: placement.sourceWidth, data: infMask },
      lung: { rows: placement.sourceHeight, columns: placement.sourceWidth, data: lungMask },
    },
  };
}

function boxToSource(b: DetectionBox, p: Placement): DetectionBox {
  const tl = inputToSource(p, b.x, b.y);
  const br = inputToSource(p, b.x + b.w, b.y + b.h);
  return { x: tl.x, y: tl.y, w: br.x - tl.x, h: br.y - tl.y, score: b.score };
}

/** Gray 8-bit image (any size) -> result; the PNG evaluation and the parity tests enter here. */
export async function analyzeCxrGray(gray: Raster, ctx: AnalysisContext, opts: CxrOptions = {}): Promise<CxrResult> {
  const input = prepareCxrInput(gray, CXR_INPUT.size, { ...CXR_INPUT.intensity, mean: [...CXR_INPUT.intensity.mean], std: [...CXR_INPUT.intensity.std] });
  return decodeCxrOutputs(await runCxrModels(input, ctx), input.placement, opts);
}

export function createCxrAnalysis(opts: CxrOptions = {}): ImageAnalysis<CxrResult> {
  return {
    id: 'cxr',
    modality: 'cxr',
    modelIds: Object.values(CXR_MODEL_IDS),
    analyze: (image: MedicalImage, ctx: AnalysisContext) => analyzeCxrGray(cxrGray8(image), ctx, opts),
  };
}

/** Classification + opacity detection (A, B, WBF ensemble) + lung/infection masks for a chest radiograph. */
export const cxrAnalysis = createCxrAnalysis();
