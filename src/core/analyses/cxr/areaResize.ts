import type { Raster } from '../../imageOps/raster.ts';

/**
 * Area-average (box-filter) resize for downscaling: each output pixel is the coverage-weighted mean of
 * the input pixels under it. For an exact 2x downscale it is the 2x2 mean the CXR models were trained
 * with (training/cxr/data.py `downsample2`), and unlike bilinear without antialiasing it does not alias
 * when a 2000-px radiograph goes to 128 px. Separable: rows first, then columns.
 */
export function areaResize(src: Raster, outW: number, outH: number): Raster {
  if (outW > src.width || outH > src.height) throw new Error('areaResize only downscales');
  const c = src.channels;
  const xw = coverage(src.width, outW);
  const yw = coverage(src.height, outH);
  const tmp = new Float64Array(outW * src.height * c);
  for (let y = 0; y < src.height; y++) {
    for (let ox = 0; ox < outW; ox++) {
      const { start, weights } = xw[ox];
      for (let k = 0; k < c; k++) {
        let acc = 0;
        for (let t = 0; t < weights.length; t++) acc += weights[t] * src.data[(y * src.width + start + t) * c + k];
        tmp[(y * outW + ox) * c + k] = acc;
      }
    }
  }
  const out = new Float32Array(outW * outH * c);
  for (let oy = 0; oy < outH; oy++) {
    const { start, weights } = yw[oy];
    for (let ox = 0; ox < outW; ox++) {
      for (let k = 0; k < c; k++) {
        let acc = 0;
        for (let t = 0; t < weights.length; t++) acc += weights[t] * tmp[((start + t) * outW + ox) * c + k];
        out[(oy * outW + ox) * c + k] = acc;
      }
    }
  }
  return { width: outW, height: outH, channels: c, data: out };
}

interface Span {
  start: number;
  weights: Float64Array;
}

/** Input span [d*in/out, (d+1)*in/out) of each output index, as per-pixel weights summing to 1. */
function coverage(inSize: number, outSize: number): Span[] {
  const scale = inSize / outSize;
  const spans: Span[] = [];
  for (let d = 0; d < outSize; d++) {
    const a = d * scale;
    const b = (d + 1) * scale;
    const start = Math.floor(a);
    const end = Math.min(Math.ceil(b), inSize);
    const weights = new Float64Array(end - start);
    for (let i = start; i < end; i++) weights[i - start] = (Math.min(b, i + 1) - Math.max(a, i)) / scale;
    spans.push({ start, weights });
  }
  return spans;
}
