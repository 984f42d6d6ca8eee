import type { Raster } from './raster.ts';

/**
 * Area resize for downscaling = PyTorch `F.interpolate(mode='area')` (adaptive average pooling): output
 * pixel d averages input pixels floor(d*in/out) .. ceil((d+1)*in/out)-1 with equal weights. For an exact
 * 2x downscale it is the 2x2 mean the CXR models were trained with (training/cxr/data.py `downsample2`),
 * and unlike bilinear without antialiasing it does not alias when a 2000-px radiograph goes to 128 px.
 * Separable (rows, then columns), which is exact for this pooling. Checked against torch in
 * areaResize.torch.json.
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

/** Adaptive-average-pooling span of each output index (PyTorch start_index / end_index), equal weights. */
function coverage(inSize: number, outSize: number): Span[] {
  const spans: Span[] = [];
  for (let d = 0; d < outSize; d++) {
    const start = Math.floor((d * inSize) / outSize);
    const end = Math.ceil(((d + 1) * inSize) / outSize);
    spans.push({ start, weights: new Float64Array(end - start).fill(1 / (end - start)) });
  }
  return spans;
}
