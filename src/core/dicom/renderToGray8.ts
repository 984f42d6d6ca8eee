import type { MedicalImage, VoiLutTable, VoiWindow } from '../image/medicalImage.ts';
import { voiLutValue, windowValue } from './voiLut.ts';

export interface RenderOptions {
  /** Window in modality units. Default: the image's VOI LUT table if any, else its first window, else its range. */
  window?: VoiWindow;
  /** VOI LUT table; used when given (and no explicit window is). */
  voiLut?: VoiLutTable;
  /** Invert the output; default `image.invert` (MONOCHROME1 shows low values white). */
  invert?: boolean;
}

/**
 * Modality values → 8-bit grey, one byte per pixel: VOI (window with the image's VOI LUT
 * Function, or a VOI LUT table scaled from its bit depth to 0..255), then MONOCHROME1
 * inversion. RGB images are reduced to ITU-R 601 luma first (as PIL convert('L')).
 */
export function renderToGray8(image: MedicalImage, options: RenderOptions = {}): Uint8Array {
  const n = image.rows * image.columns;
  const values = image.samplesPerPixel === 3 ? luma(image.pixels, n) : image.pixels;
  const invert = options.invert ?? image.invert;
  const out = new Uint8Array(n);
  const table = options.window ? undefined : options.voiLut ?? image.voiLut;
  if (table) {
    const top = Math.max(1, lutMax(table));
    for (let i = 0; i < n; i++) out[i] = Math.round((voiLutValue(values[i], table) / top) * 255);
  } else {
    const w = options.window ?? image.windows[0] ?? fullRange(image);
    const fn = image.voiLutFunction;
    // A 256-entry cache would need integer input; a direct loop is fast enough (~1 ms / 512²).
    for (let i = 0; i < n; i++) out[i] = Math.round(windowValue(values[i], w, fn, 0, 255));
  }
  if (invert) for (let i = 0; i < n; i++) out[i] = 255 - out[i];
  return out;
}

/** Output range of a VOI LUT: 2^bits - 1, unless the data clearly uses fewer bits (common with 16-bit descriptors). */
function lutMax(table: VoiLutTable): number {
  let max = 0;
  for (let i = 0; i < table.data.length; i++) if (table.data[i] > max) max = table.data[i];
  const declared = 2 ** table.bitsPerEntry - 1;
  let bits = 1;
  while (2 ** bits - 1 < max) bits++;
  return Math.min(declared, 2 ** bits - 1);
}

function fullRange(image: MedicalImage): VoiWindow {
  return { center: (image.minValue + image.maxValue) / 2, width: Math.max(1, image.maxValue - image.minValue + 1) };
}

function luma(rgb: ArrayLike<number>, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rgb[3 * i] * 299 + rgb[3 * i + 1] * 587 + rgb[3 * i + 2] * 114) / 1000;
  return out;
}
