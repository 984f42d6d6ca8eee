import type { SliceHeader } from '../series/series.ts';

/**
 * Distance between neighbouring slices in mm: the median step of Image Position (Patient)
 * along the slice normal (robust to a missing slice), else Spacing Between Slices, else
 * Slice Thickness. Null when the series cannot say (single images, PNG).
 */
export function sliceSpacingMm(headers: readonly SliceHeader[]): number | null {
  const steps = positionSteps(headers);
  if (steps.length > 0) {
    const sorted = [...steps].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    if (median > 1e-3) return median;
  }
  const first = headers[0];
  if (!first || headers.length < 2) return null;
  return first.spacingBetweenSlicesMm ?? first.sliceThicknessMm ?? null;
}

function positionSteps(headers: readonly SliceHeader[]): number[] {
  const o = headers[0]?.imageOrientationPatient;
  if (!o) return [];
  const normal = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];
  const d = headers
    .map((h) => h.imagePositionPatient)
    .filter((p): p is [number, number, number] => !!p)
    .map((p) => p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2]);
  const steps: number[] = [];
  for (let i = 1; i < d.length; i++) steps.push(Math.abs(d[i] - d[i - 1]));
  return steps;
}
