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
  const px = img.data;
  const alpha = Math.round(255 * style.opacity);
  const ggo = hexToRgb(style.ggoColor);
  const cons = hexToRgb(style.consolidationColor);
  const lesion = hexToRgb(style.lesionColor);
  const lung = hexToRgb(style.lungColor);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const i = y * columns + x;
      const v = data[i];
      let rgb: [number, number, number] | null = null;
      let a = alpha;
      if (v & LABEL_BITS.consolidation) rgb = cons;
      else if (v & LABEL_BITS.ggo) rgb = ggo;
      else if (v & LABEL_BITS.lesion) rgb = lesion;
      else if (style.showLung && v & LABEL_BITS.lung && isEdge(data, x, y, columns, rows)) {
        rgb = lung;
        a = 230;
      }
      if (!rgb) continue;
      px[i * 4] = rgb[0];
      px[i * 4 + 1] = rgb[1];
      px[i * 4 + 2] = rgb[2];
      px[i * 4 + 3] = a;
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
