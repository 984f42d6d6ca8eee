import type { Raster, Rect } from './raster.ts';
import type { Placement } from './placement.ts';
import { resizeBilinear } from './resizeBilinear.ts';

/**
 * Copies the integer rectangle `rect` out of `src`; pixels of `rect` that fall outside
 * the image get `fill` (so a lung box touching the border still yields rect.w x rect.h).
 */
export function cropRaster(src: Raster, rect: Rect, fill = 0): Raster {
  const { x, y, w, h } = rect;
  if (![x, y, w, h].every(Number.isInteger) || w <= 0 || h <= 0) {
    throw new Error(`cropRaster: rect must be integers with positive size, got ${JSON.stringify(rect)}`);
  }
  const c = src.channels;
  const out = new Float32Array(w * h * c).fill(fill);
  for (let oy = 0; oy < h; oy++) {
    const sy = y + oy;
    if (sy < 0 || sy >= src.height) continue;
    const x0 = Math.max(0, -x), x1 = Math.min(w, src.width - x);
    if (x1 <= x0) continue;
    out.set(src.data.subarray((sy * src.width + x + x0) * c, (sy * src.width + x + x1) * c), (oy * w + x0) * c);
  }
  return { width: w, height: h, channels: c, data: out };
}

/** Pastes `src` into `dst` at (x, y) in place; parts outside `dst` are dropped. */
export function pasteRaster(dst: Raster, src: Raster, x: number, y: number): void {
  if (dst.channels !== src.channels) throw new Error('pasteRaster: channel mismatch');
  const c = src.channels;
  for (let sy = 0; sy < src.height; sy++) {
    const dy = y + sy;
    if (dy < 0 || dy >= dst.height) continue;
    const x0 = Math.max(0, -x), x1 = Math.min(src.width, dst.width - x);
    if (x1 <= x0) continue;
    dst.data.set(src.data.subarray((sy * src.width + x0) * c, (sy * src.width + x1) * c), (dy * dst.width + x + x0) * c);
  }
}

/** Crop `rect` then resize it (PyTorch bilinear) to outW x outH; returns the placement to undo it. */
export function cropResize(
  src: Raster,
  rect: Rect,
  outW: number,
  outH: number,
  fill = 0,
): { raster: Raster; placement: Placement } {
  const raster = resizeBilinear(cropRaster(src, rect, fill), outW, outH);
  return {
    raster,
    placement: {
      sourceWidth: src.width, sourceHeight: src.height, inputWidth: outW, inputHeight: outH,
      from: { ...rect }, to: { x: 0, y: 0, w: outW, h: outH },
    },
  };
}
