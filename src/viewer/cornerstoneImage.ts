import type { CornerstoneImage, Lut } from 'cornerstone-core';
import type { MedicalImage, PixelArray } from '../core/image/medicalImage.ts';

/**
 * Wraps a MedicalImage (modality values) as a cornerstone image. Cornerstone indexes its
 * LUTs by integer stored value, so non-integer modality values (a fractional rescale
 * slope) are rounded for *display only*; analyses always read the MedicalImage itself.
 */
export function toCornerstoneImage(image: MedicalImage, imageId: string): CornerstoneImage {
  const pixels = image.samplesPerPixel === 3 ? rgbToRgba(image.pixels) : integerPixels(image.pixels);
  const min = Math.floor(image.minValue);
  const max = Math.ceil(image.maxValue);
  const fallbackWindow = { center: (min + max) / 2, width: Math.max(1, max - min) };
  const window = image.windows[0] ?? fallbackWindow;
  const [rowSpacing, columnSpacing] = image.pixelSpacingMm ?? [undefined, undefined];
  return {
    imageId,
    minPixelValue: min,
    maxPixelValue: max,
    slope: 1,
    intercept: 0,
    windowCenter: window.center,
    windowWidth: window.width,
    getPixelData: () => pixels,
    rows: image.rows,
    columns: image.columns,
    height: image.rows,
    width: image.columns,
    color: image.samplesPerPixel === 3,
    columnPixelSpacing: columnSpacing,
    rowPixelSpacing: rowSpacing,
    invert: image.invert,
    sizeInBytes: pixels.byteLength,
    voiLUT: image.voiLut ? toCornerstoneLut(image) : undefined,
  };
}

function toCornerstoneLut(image: MedicalImage): Lut | undefined {
  const lut = image.voiLut;
  if (!lut) return undefined;
  return { firstValueMapped: lut.firstMapped, numBitsPerEntry: lut.bitsPerEntry, lut: Array.from(lut.data) };
}

function integerPixels(pixels: PixelArray): Exclude<PixelArray, Float32Array> {
  if (!(pixels instanceof Float32Array)) return pixels;
  const out = new Int32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = Math.round(pixels[i]);
  return out;
}

/** Cornerstone's colour renderer reads 4 bytes a pixel. */
function rgbToRgba(rgb: PixelArray): Uint8Array {
  const n = rgb.length / 3;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    out[i * 4] = rgb[i * 3];
    out[i * 4 + 1] = rgb[i * 3 + 1];
    out[i * 4 + 2] = rgb[i * 3 + 2];
    out[i * 4 + 3] = 255;
  }
  return out;
}
