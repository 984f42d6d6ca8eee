import { createRaster, type Raster } from './raster.ts';
import type { Placement } from './placement.ts';
import { resizeBilinear } from './resizeBilinear.ts';
import { pasteRaster } from './crop.ts';

/**
 * Aspect-preserving fit into outW x outH: scale = min(outW/W, outH/H), resized size
 * rounded to whole pixels, centred (extra odd pixel of padding goes right/bottom),
 * padding = `fill`. This is the YOLO-style letterbox; training must use the same rule.
 */
export function letterbox(
  src: Raster,
  outW: number,
  outH: number,
  fill = 0,
): { raster: Raster; placement: Placement } {
  const scale = Math.min(outW / src.width, outH / src.height);
  const w = Math.max(1, Math.min(outW, Math.round(src.width * scale)));
  const h = Math.max(1, Math.min(outH, Math.round(src.height * scale)));
  const padX = Math.floor((outW - w) / 2);
  const padY = Math.floor((outH - h) / 2);
  const raster = createRaster(outW, outH, src.channels);
  raster.data.fill(fill);
  pasteRaster(raster, resizeBilinear(src, w, h), padX, padY);
  return {
    raster,
    placement: {
      sourceWidth: src.width, sourceHeight: src.height, inputWidth: outW, inputHeight: outH,
      from: { x: 0, y: 0, w: src.width, h: src.height },
      to: { x: padX, y: padY, w, h },
    },
  };
}
