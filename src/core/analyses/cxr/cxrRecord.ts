import type { CxrResult } from './cxrAnalysis.ts';
import type { DetectionBox } from './detectionBox.ts';

/** The JSON the CLI prints for one radiograph (masks are written as PNGs, not printed). */
export interface CxrRecord {
  classification: { label: string; probabilities: Record<string, number> };
  detections: { A: DetectionBox[]; B: DetectionBox[]; ensemble: DetectionBox[] };
  infectionPercentOfLung: number;
}

/** Rounds for printing: box coordinates to 0.1 px, scores / probabilities to 1e-4, % to 0.01. */
export function cxrRecord(r: CxrResult): CxrRecord {
  const box = (b: DetectionBox): DetectionBox =>
    ({ x: round(b.x, 1), y: round(b.y, 1), w: round(b.w, 1), h: round(b.h, 1), score: round(b.score, 4) });
  const probabilities: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.classification.probabilities)) probabilities[k] = round(v, 4);
  return {
    classification: { label: r.classification.label, probabilities },
    detections: { A: r.detections.A.map(box), B: r.detections.B.map(box), ensemble: r.detections.ensemble.map(box) },
    infectionPercentOfLung: round(r.infectionPercentOfLung, 2),
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
