import { iou, type Box } from './box.ts';

export interface NmsOptions {
  /** A box is suppressed when its IoU with a kept, higher-scoring box is > this. */
  iouThreshold: number;
  /** Drop boxes scoring below this before suppression. */
  scoreThreshold?: number;
  /** Only boxes with the same label suppress each other (default true). */
  perLabel?: boolean;
  maxBoxes?: number;
}

/** Greedy non-maximum suppression; returns kept boxes, highest score first (stable for ties). */
export function nms(boxes: readonly Box[], opts: NmsOptions): Box[] {
  const perLabel = opts.perLabel ?? true;
  const candidates = boxes
    .map((b, i) => ({ b, i }))
    .filter(({ b }) => b.score >= (opts.scoreThreshold ?? -Infinity))
    .sort((p, q) => q.b.score - p.b.score || p.i - q.i)
    .map(({ b }) => b);
  const kept: Box[] = [];
  for (const b of candidates) {
    if (opts.maxBoxes !== undefined && kept.length >= opts.maxBoxes) break;
    const suppressed = kept.some((k) => (!perLabel || k.label === b.label) && iou(k, b) > opts.iouThreshold);
    if (!suppressed) kept.push(b);
  }
  return kept;
}
