/** Conversion-time constants (ONNX layout, row-major) and the few ops folded on them. */

export interface ConstTensor {
  dims: number[];
  data: Float32Array;
}

export const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/** out[i_perm] = in[i]: numpy.transpose(x, perm). */
export function transposeConst(x: ConstTensor, perm: readonly number[]): ConstTensor {
  const dims = perm.map((p) => x.dims[p]);
  const inS = strides(x.dims);
  const out = new Float32Array(x.data.length);
  const idx = new Array<number>(dims.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < dims.length; k++) src += idx[k] * inS[perm[k]];
    out[o] = x.data[src];
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++idx[k] < dims[k]) break;
      idx[k] = 0;
    }
  }
  return { dims, data: out };
}

/** numpy broadcasting of a binary op. */
export function broadcastConst(a: ConstTensor, b: ConstTensor, f: (x: number, y: number) => number): ConstTensor {
  const r = Math.max(a.dims.length, b.dims.length);
  const ad = [...new Array(r - a.dims.length).fill(1), ...a.dims];
  const bd = [...new Array(r - b.dims.length).fill(1), ...b.dims];
  const dims = ad.map((d, i) => {
    if (d !== bd[i] && d !== 1 && bd[i] !== 1) throw new Error(`cannot broadcast [${a.dims}] with [${b.dims}]`);
    return Math.max(d, bd[i]);
  });
  const as = strides(ad), bs = strides(bd);
  const out = new Float32Array(size(dims));
  const idx = new Array<number>(r).fill(0);
  for (let o = 0; o < out.length; o++) {
    let ia = 0, ib = 0;
    for (let k = 0; k < r; k++) {
      if (ad[k] !== 1) ia += idx[k] * as[k];
      if (bd[k] !== 1) ib += idx[k] * bs[k];
    }
    out[o] = f(a.data[ia], b.data[ib]);
    for (let k = r - 1; k >= 0; k--) {
      if (++idx[k] < dims[k]) break;
      idx[k] = 0;
    }
  }
  return { dims, data: out };
}

/** ONNX DequantizeLinear: (x - zero_point) * scale, per tensor or per slice along `axis`. */
export function dequantize(x: ConstTensor, scale: ConstTensor, zeroPoint: ConstTensor | null, axis: number): ConstTensor {
  const out = new Float32Array(x.data.length);
  if (scale.data.length === 1) {
    const s = scale.data[0], z = zeroPoint ? zeroPoint.data[0] : 0;
    for (let i = 0; i < out.length; i++) out[i] = (x.data[i] - z) * s;
    return { dims: x.dims, data: out };
  }
  const ax = axis < 0 ? axis + x.dims.length : axis;
  const n = x.dims[ax];
  if (scale.data.length !== n) throw new Error(`DequantizeLinear: ${scale.data.length} scales for axis ${ax} of size ${n}`);
  const inner = size(x.dims.slice(ax + 1));
  for (let i = 0; i < out.length; i++) {
    const c = Math.floor(i / inner) % n;
    out[i] = (x.data[i] - (zeroPoint ? zeroPoint.data[c] : 0)) * scale.data[c];
  }
  return { dims: x.dims, data: out };
}
