/** Numerically stable logistic function. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Softmax along `axis` of a row-major tensor with shape `dims` (max-subtracted, so
 * large logits do not overflow). Returns a new array of the same shape.
 */
export function softmax(data: ArrayLike<number>, dims: readonly number[], axis = dims.length - 1): Float32Array {
  const a = axis < 0 ? dims.length + axis : axis;
  if (a < 0 || a >= dims.length) throw new Error(`softmax: axis ${axis} out of range for ${dims.length} dims`);
  const n = dims[a];
  const inner = dims.slice(a + 1).reduce((p, d) => p * d, 1);
  const outer = dims.slice(0, a).reduce((p, d) => p * d, 1);
  if (outer * n * inner !== data.length) throw new Error(`softmax: dims ${dims} do not match ${data.length} values`);
  const out = new Float32Array(data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = -Infinity;
      for (let k = 0; k < n; k++) max = Math.max(max, data[base + k * inner]);
      let sum = 0;
      for (let k = 0; k < n; k++) sum += Math.exp(data[base + k * inner] - max);
      for (let k = 0; k < n; k++) out[base + k * inner] = Math.exp(data[base + k * inner] - max) / sum;
    }
  }
  return out;
}

/**
 * Expectation over bins 0..N-1 of softmax(logits): sum_i i * p_i (the 101-bin
 * infection-% head of seed 000). `binValues` overrides the bin centres.
 */
export function softmaxExpectation(logits: ArrayLike<number>, binValues?: ArrayLike<number>): number {
  if (binValues && binValues.length !== logits.length) {
    throw new Error(`softmaxExpectation: ${binValues.length} bin values for ${logits.length} logits`);
  }
  const p = softmax(logits, [logits.length]);
  let e = 0;
  for (let i = 0; i < p.length; i++) e += p[i] * (binValues ? binValues[i] : i);
  return e;
}
