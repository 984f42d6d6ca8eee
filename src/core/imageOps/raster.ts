/**
 * A row-major image with interleaved channels (HWC), the shape every imageOps
 * function takes and returns. Float32 so that resize/normalize keep fractions.
 */
export interface Raster {
  width: number;
  height: number;
  channels: number;
  data: Float32Array;
}

/** Integer pixel rectangle in source coordinates. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function createRaster(width: number, height: number, channels = 1): Raster {
  return { width, height, channels, data: new Float32Array(width * height * channels) };
}

/** Wraps any numeric pixel array (e.g. MedicalImage.pixels) as a Float32 raster. */
export function rasterFrom(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  channels = 1,
): Raster {
  if (pixels.length !== width * height * channels) {
    throw new Error(`rasterFrom: ${pixels.length} values for ${width}x${height}x${channels}`);
  }
  return { width, height, channels, data: Float32Array.from(pixels) };
}
