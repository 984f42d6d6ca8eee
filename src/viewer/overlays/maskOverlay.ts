import type { OverlayPainter } from '../stackViewer.ts';
import { LABEL_BITS, type LabelMap } from './labelMap.ts';
import { hexToRgb, type OverlayStyle } from './overlayStyle.ts';

/**
 * Paints lesion classes as translucent fills and the lung as an outline, in image pixel
 * coordinates (the viewer has already set the pixel coordinate system), so the overlay
 * stays registered through zoom, pan and window changes.
 */
export function maskPainter(labels: LabelMap, style: OverlayStyle): OverlayPainter {
  const bitmap = renderLabels(labels, style);
  return (ctx) => {
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(bitmap, 0, 0);
  };
}

function renderLabels(labels: LabelMap, style: OverlayStyle): HTMLCanvasElement {
  const { rows, columns, data } = labels;
  const canvas = document.createElement('canvas');
  canvas.width = columns;
  canvas.height = rows;
  const img = new ImageData(columns, rows);
  // One 32-bit write per painted pixel (RGBA in memory order): this runs on the page's thread for every
  // analysed slice shown, so it must stay well under a frame's worth of time for a 512² slice.
  const px = new Uint32Array(img.data.buffer);
  const alpha = Math.round(255 * style.opacity);
  const word = ([r, g, b]: [number, number, number], a: number): number => new Uint32Array(new Uint8Array([r, g, b, a]).buffer)[0];
  const cons = word(hexToRgb(style.consolidationColor), alpha);
  const ggo = word(hexToRgb(style.ggoColor), alpha);
  const lesion = word(hexToRgb(style.lesionColor), alpha);
  const lung = word(hexToRgb(style.lungColor), 230);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const i = y * columns + x;
      const v = data[i];
      if (v === 0) continue;
      if (v & LABEL_BITS.consolidation) px[i] = cons;
      else if (v & LABEL_BITS.ggo) px[i] = ggo;
      else if (v & LABEL_BITS.lesion) px[i] = lesion;
      else if (style.showLung && v & LABEL_BITS.lung && isEdge(data, x, y, columns, rows)) px[i] = lung;
    }
  }
  canvas.getContext('2d')!.putImageData(img, 0, 0);
  return canvas;
}

/** A lung pixel with a non-lung 4-neighbour: the outline. */
function isEdge(data: Uint8Array, x: number, y: number, w: number, h: number): boolean {
  const lung = LABEL_BITS.lung;
  return (
    x === 0 || y === 0 || x === w - 1 || y === h - 1 ||
    !(data[y * w + x - 1] & lung) || !(data[y * w + x + 1] & lung) ||
    !(data[(y - 1) * w + x] & lung) || !(data[(y + 1) * w + x] & lung)
  );
}
