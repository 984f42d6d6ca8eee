import type { Rect } from '../imageOps/raster.ts';

export interface Component {
  /** 1-based label as written in `labels`. */
  label: number;
  area: number;
  bbox: Rect;
}

export interface Components {
  /** Per-pixel label, 0 = background, 1..N in raster-scan order of first pixel. */
  labels: Int32Array;
  components: Component[];
}

/** 8-connected components of the non-zero pixels of a row-major width x height mask. */
export function connectedComponents(mask: ArrayLike<number>, width: number, height: number): Components {
  if (mask.length !== width * height) throw new Error(`connectedComponents: ${mask.length} values for ${width}x${height}`);
  const labels = new Int32Array(width * height);
  const components: Component[] = [];
  const stack: number[] = [];
  for (let start = 0; start < labels.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = components.length + 1;
    let area = 0, x0 = width, y0 = height, x1 = -1, y1 = -1;
    labels[start] = label;
    stack.push(start);
    // Explicit stack (not recursion): lesion masks can be 100k+ pixels.
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % width, y = (i - x) / width;
      area++;
      if (x < x0) x0 = x; if (x > x1) x1 = x;
      if (y < y0) y0 = y; if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (mask[j] && !labels[j]) {
            labels[j] = label;
            stack.push(j);
          }
        }
      }
    }
    components.push({ label, area, bbox: { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 } });
  }
  return { labels, components };
}
