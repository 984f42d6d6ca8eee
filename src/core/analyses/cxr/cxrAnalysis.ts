/**
 * Chest radiograph: classification, opacity boxes from detectors A and B and their Weighted Box Fusion, and
 * lung / infection masks, all at the input image's size. Every model is fed and decoded from its own
 * manifest entry (input size and intensity, labels, segmentation channels, detector strides and thresholds).
 */
import type { ModelEntry } from '../../runtime/manifest.ts';
import { extraNumber, extraStrings, indexOfName, labelsOf, onlyOutput } from '../../runtime/modelFacts.ts';
import type { Tensor } from '../../runtime/tensor.ts';
import type { Raster } from '../../imageOps/raster.ts';
import { inputToSource, type Placement } from '../../imageOps/placement.ts';
import { modelInput, type ModelInput } from '../../imageOps/modelInput.ts';
import { softmax } from '../../postprocess/activations.ts';
import { nms } from '../../postprocess/nms.ts';
import { weightedBoxFusion } from '../../postprocess/weightedBoxFusion.ts';
import { toSourceGrid, threshold, maskArea } from '../../postprocess/maskOps.ts';
import type { AnalysisContext, ImageMask } from '../analysisModule.ts';
import type { DetectionBox } from './detectionBox.ts';
import { decodeYoloGrid } from './yoloGridDecode.ts';
import { decodeCenterNet } from './centerNetDecode.ts';

/** The four models by role (what they are asked for; the host may run a variant of each). */
export const CXR_MODELS = {
  segmentation: 'cxr-segmentation',
  classification: 'cxr-classification',
  detectorA: 'cxr-detector-yolo',
  detectorB: 'cxr-detector-centernet',
} as const;
export type CxrRole = keyof typeof CXR_MODELS;

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
  /** Boxes below this score are dropped (default: the detectors' `extra.displayScore`; mAP passes `scoreMin`). */
  scoreThreshold?: number;
}

/** One model's raw output with what decoding it needs: its entry and where its input came from. */
export interface CxrModelOutput {
  entry: ModelEntry;
  placement: Placement;
  output: Tensor;
}
export type CxrRawOutputs = Record<CxrRole, CxrModelOutput>;

/** Runs the four models on one 8-bit radiograph, each fed per its own entry's `input`. */
export async function runCxrModels(gray: Raster, ctx: AnalysisContext): Promise<CxrRawOutputs> {
  const inputs = new Map<string, ModelInput>();
  const out = {} as CxrRawOutputs;
  // one model at a time: sessions share the worker / the CLI's single thread budget
  for (const [role, id] of Object.entries(CXR_MODELS) as [CxrRole, string][]) {
    const session = await ctx.getSession(id);
    const { entry } = session;
    // models sharing an input spec share the prepared tensor
    const key = JSON.stringify(entry.input);
    let input = inputs.get(key);
    if (!input) inputs.set(key, (input = modelInput(gray, entry.input)));
    const name = onlyOutput(entry).name;
    const t = (await session.run({ [entry.input.name]: input.tensor }))[name];
    if (!t) throw new Error(`${entry.id}: output '${name}' missing`);
    out[role] = { entry, placement: input.placement, output: t };
  }
  return out;
}

function classify({ entry, output }: CxrModelOutput): CxrClassification {
  const labels = labelsOf(entry);
  const probs = softmax(output.data, output.dims, 1);
  let best = 0;
  for (let k = 1; k < labels.length; k++) if (probs[k] > probs[best]) best = k;
  const probabilities: Record<string, number> = {};
  labels.forEach((l, k) => { probabilities[l] = probs[k]; });
  return { label: labels[best], probabilities };
}

function segment({ entry, output, placement }: CxrModelOutput): { lung: Uint8Array; infection: Uint8Array } {
  const channels = extraStrings(entry, 'channels');
  const plane = output.dims[2] * output.dims[3];
  // probability threshold -> logit threshold (the outputs are logits)
  const t = extraNumber(entry, 'threshold');
  const logitThreshold = Math.log(t / (1 - t));
  const mask = (name: string) => {
    const k = indexOfName(entry, channels, name, 'extra.channels');
    return threshold(toSourceGrid(output.data.subarray(k * plane, (k + 1) * plane), placement, -1), logitThreshold);
  };
  return { lung: mask('lung'), infection: mask('infection') };
}

function detect(raw: CxrModelOutput, decode: typeof decodeYoloGrid): DetectionBox[] {
  const { entry, output } = raw;
  const boxes = decode(output, extraNumber(entry, 'stride'), entry.input.width, extraNumber(entry, 'scoreMin'));
  return nms(boxes, { iouThreshold: extraNumber(entry, 'nmsIou'), maxBoxes: extraNumber(entry, 'maxDetections') });
}

/** Decodes the raw outputs into the user-facing result at the input's size. */
export function decodeCxrOutputs(raw: CxrRawOutputs, opts: CxrOptions = {}): CxrResult {
  const { lung: lungMask, infection: infMask } = segment(raw.segmentation);
  let infInLung = 0;
  for (let i = 0; i < lungMask.length; i++) if (lungMask[i] && infMask[i]) infInLung++;
  const lungPx = maskArea(lungMask);

  // Boxes go to the input image's pixels before fusing, so detectors fed different input sizes still fuse
  // (IoU and the weighted mean are unchanged by the per-axis scaling).
  const a = detect(raw.detectorA, decodeYoloGrid).map((x) => boxToSource(x, raw.detectorA.placement));
  const b = detect(raw.detectorB, decodeCenterNet).map((x) => boxToSource(x, raw.detectorB.placement));
  const ens = weightedBoxFusion([a, b], { iouThreshold: extraNumber(raw.detectorA.entry, 'wbfIou') });
  const keep = opts.scoreThreshold ?? extraNumber(raw.detectorA.entry, 'displayScore');
  const shown = (boxes: DetectionBox[]) => boxes.filter((x) => x.score >= keep);
  const { sourceHeight: rows, sourceWidth: columns } = raw.segmentation.placement;

  return {
    classification: classify(raw.classification),
    detections: { A: shown(a), B: shown(b), ensemble: shown(ens) },
    infectionPercentOfLung: lungPx > 0 ? (100 * infInLung) / lungPx : 0,
    masks: { lesion: { rows, columns, data: infMask }, lung: { rows, columns, data: lungMask } },
  };
}

function boxToSource(b: DetectionBox, p: Placement): DetectionBox {
  const tl = inputToSource(p, b.x, b.y);
  const br = inputToSource(p, b.x + b.w, b.y + b.h);
  return { x: tl.x, y: tl.y, w: br.x - tl.x, h: br.y - tl.y, score: b.score };
}
