import type { Rect } from './raster.ts';

/**
 * How a model's input grid maps onto the source image: source region `from` was
 * resized (bilinear, half-pixel) onto input region `to`; the rest of the input is
 * padding. Crop (`to` = whole input) and letterbox (`from` = whole source) are both
 * special cases, so one inverse (maskOps.toSourceGrid) undoes either.
 */
export interface Placement {
  sourceWidth: number;
  sourceHeight: number;
  inputWidth: number;
  inputHeight: number;
  from: Rect;
  to: Rect;
}

/** The identity-free case: whole source stretched onto the whole input. */
export function stretchPlacement(
  sourceWidth: number,
  sourceHeight: number,
  inputWidth: number,
  inputHeight: number,
): Placement {
  return {
    sourceWidth, sourceHeight, inputWidth, inputHeight,
    from: { x: 0, y: 0, w: sourceWidth, h: sourceHeight },
    to: { x: 0, y: 0, w: inputWidth, h: inputHeight },
  };
}

/** Maps a point (pixel-edge coordinates) from the input grid to the source image. */
export function inputToSource(p: Placement, x: number, y: number): { x: number; y: number } {
  return {
    x: p.from.x + ((x - p.to.x) * p.from.w) / p.to.w,
    y: p.from.y + ((y - p.to.y) * p.from.h) / p.to.h,
  };
}
