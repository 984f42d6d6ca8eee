import { iou, type Box } from './box.ts';
import { nms } from './nms.ts';

export interface WbfOptions {
  /** Cluster match: IoU(box, fused box) > this, same label. Seed 002 and Solovyev & Wang use 0.55. */
  iouThreshold?: number;
  /** One weight per model (default all 1); a box's score is multiplied by its model's weight. */
  weights?: readonly number[];
  /** Boxes scoring below this (before weighting) are ignored. */
  skipScoreThreshold?: number;
  /** Final NMS over fused boxes (seed 002's last step); `null` skips it. */
  nmsIouThreshold?: number | null;
}

interface Cluster {
  members: Box[];
  fused: Box;
}

/**
 * Weighted Box Fusion as described in seed 002 (section "COVID-19 detection", after
 * Solovyev & Wang): all models' boxes sorted by (weighted) score; each box joins the
 * first-best fused box of the same label with IoU > 0.55, else starts a cluster. A fused
 * box has confidence-weighted corner coordinates (eq. 4-5) and the mean member score
 * (eq. 3), finally rescaled by min(T, M) / M (eq. 6; T = boxes in the cluster, M = models).
 * With per-model weights the divisor is sum(weights), as in the reference implementation
 * (ensemble_boxes); with the seed's weights (1, 1) that is exactly M. Then NMS.
 */
export function weightedBoxFusion(boxesPerModel: readonly (readonly Box[])[], opts: WbfOptions = {}): Box[] {
  const thr = opts.iouThreshold ?? 0.55;
  const m = boxesPerModel.length;
  const weights = opts.weights ?? new Array<number>(m).fill(1);
  if (weights.length !== m) throw new Error(`weightedBoxFusion: ${weights.length} weights for ${m} models`);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  if (m === 0 || !(weightSum > 0)) return [];

  const all: Box[] = [];
  boxesPerModel.forEach((boxes, k) => {
    for (const b of boxes) {
      if (b.score < (opts.skipScoreThreshold ?? 0) || b.w <= 0 || b.h <= 0) continue;
      all.push({ ...b, score: b.score * weights[k] });
    }
  });
  all.sort((a, b) => b.score - a.score); // Array.prototype.sort is stable: ties keep model order

  const clusters: Cluster[] = [];
  for (const b of all) {
    let best = -1, bestIou = thr;
    clusters.forEach((c, i) => {
      if (c.fused.label !== b.label) return;
      const v = iou(c.fused, b);
      if (v > bestIou) { bestIou = v; best = i; }
    });
    if (best < 0) clusters.push({ members: [b], fused: { ...b } });
    else {
      clusters[best].members.push(b);
      clusters[best].fused = fuse(clusters[best].members);
    }
  }

  const fused = clusters.map(({ members, fused: f }) => ({
    ...f,
    score: (f.score * Math.min(members.length, m)) / weightSum,
  }));
  fused.sort((a, b) => b.score - a.score);
  return opts.nmsIouThreshold === null ? fused : nms(fused, { iouThreshold: opts.nmsIouThreshold ?? 0.55 });
}

/** Confidence-weighted corners (eq. 4-5) and mean score (eq. 3) of a cluster. */
function fuse(members: readonly Box[]): Box {
  let sc = 0, x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  for (const b of members) {
    sc += b.score;
    x1 += b.score * b.x;
    y1 += b.score * b.y;
    x2 += b.score * (b.x + b.w);
    y2 += b.score * (b.y + b.h);
  }
  if (sc <= 0) return { ...members[0] };
  const fx1 = x1 / sc, fy1 = y1 / sc;
  const out: Box = { x: fx1, y: fy1, w: x2 / sc - fx1, h: y2 / sc - fy1, score: sc / members.length };
  if (members[0].label !== undefined) out.label = members[0].label;
  return out;
}
