/**
 * Geometry a whole-series analysis needs from the slice headers: the slab each slice stands for, which end
 * is the head, which image side is the patient's left, and the pixel size.
 */
import type { SliceHeader } from '../series/series.ts';
import { sliceNormal, slicePositionsMm, zSpacing, type ZSpacing } from '../series/sliceGeometry.ts';

export interface StudyGeometry {
  columns: number;
  rows: number;
  /** [row, column] spacing (mm); undefined when the files do not say. */
  pixelSpacingMm?: [number, number];
  z: ZSpacing;
  /** True when higher slice indices are nearer the head (positions ascend towards the head). */
  superiorAtHighIndex: boolean;
  /** True when the patient's left lies towards higher column numbers. */
  leftAtHighX: boolean;
}

/** Headers in series order (sorted along the normal, as groupSeries leaves them). */
export function studyGeometry(headers: readonly SliceHeader[]): StudyGeometry {
  const first = headers[0];
  const o = first?.imageOrientationPatient;
  const positions = slicePositionsMm(headers);
  const z = zSpacing(positions, headers.length, first?.spacingBetweenSlicesMm ?? first?.sliceThicknessMm ?? null);
  // Patient z grows towards the head. Without positions the order is Instance Number, which scanners usually
  // count from the head down.
  const zFirst = first?.imagePositionPatient?.[2], zLast = headers[headers.length - 1]?.imagePositionPatient?.[2];
  const superiorAtHighIndex = positions && zFirst !== undefined && zLast !== undefined && zLast !== zFirst
    ? zLast > zFirst
    : positions && o ? sliceNormal(o)[2] > 0 : false;
  return {
    columns: first?.columns ?? 0,
    rows: first?.rows ?? 0,
    // copied: headers may be reactive proxies in the app, and this travels to the inference worker
    pixelSpacingMm: first?.pixelSpacingMm ? [first.pixelSpacingMm[0], first.pixelSpacingMm[1]] : undefined,
    z,
    superiorAtHighIndex,
    leftAtHighX: o ? o[0] >= 0 : true,
  };
}
