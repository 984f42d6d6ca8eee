import type { AnalysisRecord, ModelRef } from '../analysisModule.ts';
import { round } from '../ct/ctRecord.ts';
import type { CxrResult } from './cxrAnalysis.ts';
import type { DetectionBox } from './detectionBox.ts';

/** What `lunglens analyze --json` prints for one radiograph (masks are written as PNGs, not printed). */
export interface CxrRecord extends AnalysisRecord {
  classification: { label: string; probabilities: Record<string, number> };
  /** Boxes in the input image's pixels: detector A, detector B and their Weighted Box Fusion. */
  detections: { A: DetectionBox[]; B: DetectionBox[]; ensemble: DetectionBox[] };
  infectionPercentOfLung: number;
}

/** Rounds for printing: box coordinates to 0.1 px, scores / probabilities to 1e-4, % to 0.01. */
export function cxrRecord(r: CxrResult, models: ModelRef[]): CxrRecord {
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
