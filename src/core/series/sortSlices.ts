import type { SliceRef } from './series.ts';

/**
 * Sorts slices along the slice normal (row × column direction cosines of Image
 * Orientation), ascending, using Image Position (Patient). When any slice lacks geometry,
 * falls back to Instance Number, then frame index, then file name. O(n log n).
 */
export function sortSlices(slices: SliceRef[]): SliceRef[] {
  const orientation = slices.find((s) => s.header.imageOrientationPatient)?.header.imageOrientationPatient;
  const allGeometry = !!orientation && slices.every((s) => s.header.imagePositionPatient);
  const keyed = slices.map((s) => ({ s, d: 0 }));
  if (allGeometry && orientation) {
    const [r0, r1, r2, c0, c1, c2] = orientation;
    const normal = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
    for (const k of keyed) {
      const p = k.s.header.imagePositionPatient!;
      k.d = p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
    }
  }
  keyed.sort((a, b) => {
    if (allGeometry && a.d !== b.d) return a.d - b.d;
    const ia = a.s.header.instanceNumber ?? Infinity;
    const ib = b.s.header.instanceNumber ?? Infinity;
    if (ia !== ib) return ia < ib ? -1 : 1;
    if (a.s.frameIndex !== b.s.frameIndex) return a.s.frameIndex - b.s.frameIndex;
    return a.s.input.name < b.s.input.name ? -1 : a.s.input.name > b.s.input.name ? 1 : 0;
  });
  return keyed.map((k) => k.s);
}
