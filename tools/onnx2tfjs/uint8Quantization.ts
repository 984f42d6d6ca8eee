/**
 * TFJS affine uint8 weight quantization, as tfjs-converter's `--quantize_uint8`: one (min, scale) per
 * tensor, w ≈ q * scale + min with q in 0..255, and the range nudged so that 0 is exactly representable
 * (zero biases / padding-like weights stay exactly zero). tf.loadGraphModel dequantizes on load.
 */
export interface Uint8Quantized {
  bytes: Uint8Array;
  min: number;
  scale: number;
}

export function quantizeUint8(data: Float32Array): Uint8Quantized {
  let lo = 0, hi = 0;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  const zeroPoint = Math.round(-lo / scale);
  const min = -zeroPoint * scale;
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) bytes[i] = Math.min(255, Math.max(0, Math.round((data[i] - min) / scale)));
  return { bytes, min, scale };
}

export function dequantizeUint8(q: Uint8Quantized): Float32Array {
  return Float32Array.from(q.bytes, (v) => v * q.scale + q.min);
}
