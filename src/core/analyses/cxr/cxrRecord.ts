/**
 * What `lunglens analyze --json` prints for one radiograph (masks are written as PNGs, not printed), the
 * app's report holds and the CSV reads. An image the input gate refuses (cxrInputGate.ts) is "not
 * assessed", as CT slices with too little lung are (ct/ctRecord.ts): `assessed: false`, a `reason`, what
 * the gate measured, and no classification, boxes or infection % -- the CXR models do not run on it.
 */
import type { AnalysisRecord, ModelRef } from '../analysisModule.ts';
import { round } from '../ct/ctRecord.ts';
import type { CxrResult } from './cxrAnalysis.ts';
import type { CxrGateMeasure, CxrGateVerdict } from './cxrInputGate.ts';
import type { DetectionBox } from './detectionBox.ts';

/** A radiograph the models judged (the record has no `assessed` key: it reads as before the gate existed). */
export interface CxrAssessedRecord extends AnalysisRecord {
  assessed?: true;
  classification: { label: string; probabilities: Record<string, number> };
  /** Boxes in the input image's pixels: detector A, detector B and their Weighted Box Fusion. */
  detections: { A: DetectionBox[]; B: DetectionBox[]; ensemble: DetectionBox[] };
  infectionPercentOfLung: number;
}

/** An image the input gate refused: why, and what it measured. `models` names the gate only. */
export interface CxrNotAssessedRecord extends AnalysisRecord {
  assessed: false;
  /** In words, e.g. "not a chest radiograph: blank or near-uniform image (...)". */
  reason: string;
  inputGate: CxrGateMeasure;
}

export type CxrRecord = CxrAssessedRecord | CxrNotAssessedRecord;

export function isCxrAssessed(r: CxrRecord): r is CxrAssessedRecord {
  return r.assessed !== false;
}

/** Rounds for printing: box coordinates to 0.1 px, scores / probabilities to 1e-4, % to 0.01. */
export function cxrRecord(r: CxrResult, models: ModelRef[]): CxrAssessedRecord {
  const box = (b: DetectionBox): DetectionBox =>
    ({ x: round(b.x, 1), y: round(b.y, 1), w: round(b.w, 1), h: round(b.h, 1), score: round(b.score, 4) });
  const probabilities: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.classification.probabilities)) probabilities[k] = round(v, 4);
  return {
    classification: { label: r.classification.label, probabilities },
    detections: { A: r.detections.A.map(box), B: r.detections.B.map(box), ensemble: r.detections.ensemble.map(box) },
    infectionPercentOfLung: round(r.infectionPercentOfLung, 2),
    models,
  };
}

export function cxrNotAssessedRecord(verdict: Extract<CxrGateVerdict, { passed: false }>): CxrNotAssessedRecord {
  return { assessed: false, reason: verdict.reason, inputGate: verdict.measure, models: [verdict.model] };
}
