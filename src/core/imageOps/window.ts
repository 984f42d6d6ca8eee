/**
 * Linear intensity window → 8-bit: v = round(clamp((x - (center - width/2)) / width, 0, 1) * 255).
 * This is the numpy-style window training code writes (`np.clip((hu - lo) / (hi - lo), 0, 1) * 255`,
 * rounded), not DICOM's (w-1)/c-0.5 display formula; the two differ by < 1 grey level.
 */
export function windowToUint8(values: ArrayLike<number>, center: number, width: number): Uint8Array {
  if (!(width > 0)) throw new Error(`windowToUint8: width must be > 0, got ${width}`);
  const lo = center - width / 2;
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const t = (values[i] - lo) / width;
    out[i] = Math.round((t <= 0 ? 0 : t >= 1 ? 1 : t) * 255);
  }
  return out;
}
