import type { ImageMask } from '../analyses/analysisModule.ts';
import type { Placement } from '../imageOps/placement.ts';
import { cropRaster, pasteRaster } from '../imageOps/crop.ts';
import { resizeBilinear } from '../imageOps/resizeBilinear.ts';
import { createRaster } from '../imageOps/raster.ts';

/** 1 where value > threshold (strict, so p = 0.5 at threshold 0.5 is background), else 0. */
export function threshold(values: ArrayLike<number>, t: number): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] > t ? 1 : 0;
  return out;
}

/** Number of foreground (non-zero) pixels. */
export function maskArea(mask: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  return n;
}

/** Foreground area in mm² given [row, column] pixel spacing. */
export function maskAreaMm2(mask: ArrayLike<number>, pixelSpacingMm: readonly [number, number]): number {
  return maskArea(mask) * pixelSpacingMm[0] * pixelSpacingMm[1];
}

/**
 * Brings a per-pixel map (probabilities or logits, inputHeight x inputWidth, row-major)
 * from the model's input grid back to the source image: drop the letterbox padding,
 * bilinear-resize (PyTorch half-pixel) the placed region to the crop size, paste it at the
 * crop position; source pixels outside the crop get `outside`. Resize *before* thresholding
 * so mask edges are smooth and match what PyTorch would produce.
 */
export function toSourceGrid(values: Float32Array, p: Placement, outside = 0): Float32Array {
  if (values.length !== p.inputWidth * p.inputHeight) {
    throw new Error(`toSourceGrid: ${values.length} values for input ${p.inputWidth}x${p.inputHeight}`);
  }
  const placed = cropRaster({ width: p.inputWidth, height: p.inputHeight, channels: 1, data: values }, p.to);
  const resized = resizeBilinear(placed, p.from.w, p.from.h);
  const dst = createRaster(p.sourceWidth, p.sourceHeight, 1);
  dst.data.fill(outside);
  pasteRaster(dst, resized, p.from.x, p.from.y);
  return dst.data;
}

/** Probability map on the input grid → binary ImageMask at the source image's size. */
export function probabilitiesToMask(probabilities: Float32Array, p: Placement, t = 0.5): ImageMask {
  return { rows: p.sourceHeight, columns: p.sourceWidth, data: threshold(toSourceGrid(probabilities, p), t) };
}

/** Nearest-neighbour resize of a label/binary mask (pixel centres, like PyTorch mode='nearest-exact'). */
export function resizeMaskNearest(
  mask: ArrayLike<number>,
  inW: number,
  inH: number,
  outW: number,
  outH: number,
): Uint8Array {
  const out = new Uint8Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const sy = Math.min(inH - 1, Math.floor(((y + 0.5) * inH) / outH));
    for (let x = 0; x < outW; x++) {
      const sx = Math.min(inW - 1, Math.floor(((x + 0.5) * inW) / outW));
      out[y * outW + x] = mask[sy * inW + sx];
    }
  }
  return out;
}
