/**
 * Where the slices of a stack lie along its normal, and what slab of tissue each one stands for.
 * Volumes are Σ area × slab, with slab = half the distance to each neighbour (Voronoi). That equals
 * trapezoidal integration of the area over z, so it stays right with uneven spacing, with gaps in z
 * (missing slices: linear interpolation across the gap) and with sequential HRCT (thin slices at wide steps).
 */
import type { SliceHeader } from './series.ts';

export type Vec3 = [number, number, number];

/** Row direction × column direction of Image Orientation (Patient). */
export function sliceNormal(o: readonly number[]): Vec3 {
  return [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];
}

/** Each slice's position along the first slice's normal (mm), or null when any slice lacks geometry. */
export function slicePositionsMm(headers: readonly SliceHeader[]): number[] | null {
  const o = headers.find((h) => h.imageOrientationPatient)?.imageOrientationPatient;
  if (!o || headers.length === 0 || !headers.every((h) => h.imagePositionPatient)) return null;
  const n = sliceNormal(o);
  return headers.map((h) => {
    const p = h.imagePositionPatient!;
    return p[0] * n[0] + p[1] * n[1] + p[2] * n[2];
  });
}

export interface ZSpacing {
  /** Median step between neighbours (mm); the stated spacing/thickness without positions; null if unknown. */
  nominalMm: number | null;
  /** Slab of tissue each slice stands for (mm); empty when nothing is known about z. */
  weightsMm: number[];
  /** Steps more than 1.5 × the nominal step: slices are missing there. */
  gaps: { afterIndex: number; stepMm: number }[];
  /** True when steps differ from the nominal one by more than 10 % (other than gaps). */
  uneven: boolean;
}

const GAP_FACTOR = 1.5;

/**
 * Slab weights from positions sorted ascending. Ends get half the nominal step outwards. Without positions
 * every slice stands for `fallbackMm` (Spacing Between Slices or Slice Thickness) when that is known.
 */
export function zSpacing(positionsMm: readonly number[] | null, count: number, fallbackMm: number | null): ZSpacing {
  if (!positionsMm || count < 2) {
    const nominal = fallbackMm && fallbackMm > 0 ? fallbackMm : null;
    return { nominalMm: nominal, weightsMm: nominal === null ? [] : new Array(count).fill(nominal), gaps: [], uneven: false };
  }
  const steps: number[] = [];
  for (let i = 1; i < count; i++) steps.push(Math.abs(positionsMm[i] - positionsMm[i - 1]));
  const positive = steps.filter((s) => s > 1e-3).sort((a, b) => a - b);
  if (positive.length === 0) return zSpacing(null, count, fallbackMm);
  const nominal = positive[Math.floor(positive.length / 2)];
  const gaps: ZSpacing['gaps'] = [];
  let uneven = false;
  steps.forEach((s, i) => {
    if (s > GAP_FACTOR * nominal) gaps.push({ afterIndex: i, stepMm: s });
    else if (Math.abs(s - nominal) > 0.1 * nominal) uneven = true;
  });
  const weightsMm = Array.from({ length: count }, (_, i) => {
    const before = i > 0 ? steps[i - 1] : nominal;
    const after = i < count - 1 ? steps[i] : nominal;
    return (before + after) / 2;
  });
  return { nominalMm: nominal, weightsMm, gaps, uneven };
}
