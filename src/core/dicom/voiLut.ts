import type { VoiLutFunction, VoiLutTable, VoiWindow } from '../image/medicalImage.ts';

/**
 * VOI transforms, PS3.3 C.11.2.1.2 / C.11.2.1.3, mapping modality values to [yMin, yMax].
 * Kept separate from rendering so the viewer and analyses share one definition.
 */
export function windowValue(x: number, w: VoiWindow, fn: VoiLutFunction, yMin: number, yMax: number): number {
  const { center: c, width } = w;
  const range = yMax - yMin;
  if (fn === 'SIGMOID') return range / (1 + Math.exp((-4 * (x - c)) / width)) + yMin;
  if (fn === 'LINEAR_EXACT') {
    if (x <= c - width / 2) return yMin;
    if (x > c + width / 2) return yMax;
    return ((x - c) / width + 0.5) * range + yMin;
  }
  // LINEAR: width >= 1; the -0.5 / (w-1) terms centre the ramp on integer input values.
  const wm1 = Math.max(width - 1, 0);
  if (x <= c - 0.5 - wm1 / 2) return yMin;
  if (x > c - 0.5 + wm1 / 2) return yMax;
  return wm1 === 0 ? yMax : ((x - (c - 0.5)) / wm1 + 0.5) * range + yMin;
}

/** VOI LUT Sequence table lookup: clamps below the first / above the last entry. */
export function voiLutValue(x: number, lut: VoiLutTable): number {
  const last = lut.data.length - 1;
  let i = Math.round(x) - lut.firstMapped;
  i = i < 0 ? 0 : i > last ? last : i;
  return lut.data[i];
}

/** Applies a VOI LUT table to every value, like pydicom's apply_voi_lut with a LUT item. */
export function applyVoiLutTable(values: ArrayLike<number>, lut: VoiLutTable): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = voiLutValue(values[i], lut);
  return out;
}
