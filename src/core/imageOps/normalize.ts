import type { Raster } from './raster.ts';
import type { IntensitySpec } from '../runtime/manifest.ts';
import type { Tensor } from '../runtime/tensor.ts';

/**
 * 8-bit raster (values 0..255, any float storage) → model tensor [1, C, H, W] or
 * [1, H, W, C]. A 1-channel raster is replicated when the model wants 3 channels
 * (grey X-ray into an ImageNet backbone); mean/std of length 1 broadcast to every channel.
 */
export function normalizeToTensor(
  src: Raster,
  intensity: IntensitySpec,
  layout: 'NCHW' | 'NHWC',
  channels: number = src.channels,
): Tensor {
  if (src.channels !== channels && src.channels !== 1) {
    throw new Error(`normalizeToTensor: cannot map ${src.channels} channels to ${channels}`);
  }
  const { width: w, height: h } = src;
  const mean = broadcast(intensity.mean, channels, 'mean');
  const std = broadcast(intensity.std, channels, 'std');
  const out = new Float32Array(w * h * channels);
  const sc = src.channels;
  for (let c = 0; c < channels; c++) {
    const k = sc === 1 ? 0 : c;
    const m = mean[c], s = std[c];
    for (let i = 0; i < w * h; i++) {
      const v = (src.data[i * sc + k] * intensity.scale - m) / s;
      out[layout === 'NCHW' ? c * w * h + i : i * channels + c] = v;
    }
  }
  return { data: out, dims: layout === 'NCHW' ? [1, channels, h, w] : [1, h, w, channels] };
}

function broadcast(v: number[], n: number, what: string): number[] {
  if (v.length === n) return v;
  if (v.length === 1) return new Array<number>(n).fill(v[0]);
  throw new Error(`normalizeToTensor: ${what} has ${v.length} values for ${n} channels`);
}
