import type { PixelArray } from '../image/medicalImage.ts';
import type { ModalityLutTable } from './readHeader.ts';

/**
 * Stored values → modality values (HU for CT). Modality LUT Sequence wins over rescale
 * (PS3.3 C.11.1). Values below the first mapped entry take the first entry, above the
 * last take the last (same as pydicom's apply_modality_lut). The output type is the
 * smallest exact one: integer rescale stays integer, fractional slope gives Float32.
 */
export function applyModalityLut(
  stored: Int32Array,
  lut: ModalityLutTable | undefined,
  slope: number,
  intercept: number,
  storedRange: [number, number],
): PixelArray {
  const n = stored.length;
  if (lut) {
    const out = new Uint16Array(n);
    const last = lut.data.length - 1;
    for (let i = 0; i < n; i++) {
      const idx = stored[i] - lut.firstMapped;
      out[i] = lut.data[idx < 0 ? 0 : idx > last ? last : idx];
    }
    return out;
  }
  const integer = Number.isInteger(slope) && Number.isInteger(intercept);
  if (!integer) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = stored[i] * slope + intercept;
    return out;
  }
  const a = storedRange[0] * slope + intercept;
  const b = storedRange[1] * slope + intercept;
  const lo = Math.min(a, b), hi = Math.max(a, b);
  const out = lo >= 0 && hi <= 255 ? new Uint8Array(n)
    : lo >= -32768 && hi <= 32767 ? new Int16Array(n)
    : lo >= 0 && hi <= 65535 ? new Uint16Array(n)
    : new Int32Array(n);
  if (slope === 1 && intercept === 0) out.set(stored);
  else for (let i = 0; i < n; i++) out[i] = stored[i] * slope + intercept;
  return out;
}

/** A single stored value through the same mapping (padding value, window bounds). */
export function modalityValueOf(v: number, lut: ModalityLutTable | undefined, slope: number, intercept: number): number {
  if (lut) {
    const idx = Math.min(Math.max(v - lut.firstMapped, 0), lut.data.length - 1);
    return lut.data[idx];
  }
  return v * slope + intercept;
}
