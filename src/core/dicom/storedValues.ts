import type { DecodedFrame } from './codecs/decodedFrame.ts';

export interface StoredLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  planarConfiguration: 0 | 1;
}

/**
 * Native pixel bytes → stored values (Int32Array, interleaved samples), honouring byte
 * order, 1-bit packing and planar configuration.
 */
export function nativeStoredValues(bytes: Uint8Array, bitOffset: number, layout: StoredLayout, bigEndian: boolean): Int32Array {
  const n = layout.rows * layout.columns * layout.samplesPerPixel;
  const out = new Int32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = !bigEndian;
  switch (layout.bitsAllocated) {
    case 1:
      for (let i = 0; i < n; i++) {
        const bit = bitOffset + i;
        out[i] = (bytes[bit >> 3] >> (bit & 7)) & 1; // LSB first (PS3.5 8.1.1)
      }
      break;
    case 8:
      for (let i = 0; i < n; i++) out[i] = bytes[i];
      break;
    case 16:
      for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, little);
      break;
    case 32:
      for (let i = 0; i < n; i++) out[i] = view.getUint32(i * 4, little) | 0;
      break;
    default:
      throw new Error(`Bits Allocated ${layout.bitsAllocated} is not supported`);
  }
  const values = layout.planarConfiguration === 1 && layout.samplesPerPixel > 1 ? interleavePlanes(out, layout.samplesPerPixel) : out;
  return maskAndExtend(values, layout);
}

/** Codec output → stored values. */
export function decodedStoredValues(frame: DecodedFrame, layout: StoredLayout): Int32Array {
  const n = layout.rows * layout.columns * layout.samplesPerPixel;
  if (frame.samples.length < n) throw new Error(`decoder returned ${frame.samples.length} samples, expected ${n}`);
  const out = new Int32Array(n);
  const src = frame.samples;
  for (let i = 0; i < n; i++) out[i] = src[i];
  return maskAndExtend(out, layout);
}

/**
 * Keeps only Bits Stored (high bits may carry overlays) and sign-extends from bit
 * bitsStored-1 for signed data: 12-bit two's complement in a 16-bit word is common.
 */
function maskAndExtend(values: Int32Array, layout: StoredLayout): Int32Array {
  const bits = layout.bitsStored;
  if (bits >= 32) return values;
  const shift = 32 - bits;
  if (layout.pixelRepresentation === 1) {
    for (let i = 0; i < values.length; i++) values[i] = (values[i] << shift) >> shift;
  } else {
    for (let i = 0; i < values.length; i++) values[i] = (values[i] << shift) >>> shift;
  }
  return values;
}

function interleavePlanes(planar: Int32Array, samples: number): Int32Array {
  const pixels = planar.length / samples;
  const out = new Int32Array(planar.length);
  for (let s = 0; s < samples; s++) for (let p = 0; p < pixels; p++) out[p * samples + s] = planar[s * pixels + p];
  return out;
}

/** YBR_FULL → RGB (PS3.3 C.7.6.3.1.2), in place, for 8-bit colour data. */
export function ybrFullToRgb(values: Int32Array, maxValue: number): void {
  const half = (maxValue + 1) / 2;
  for (let i = 0; i + 2 < values.length; i += 3) {
    const y = values[i], cb = values[i + 1] - half, cr = values[i + 2] - half;
    values[i] = clamp(Math.round(y + 1.402 * cr), maxValue);
    values[i + 1] = clamp(Math.round(y - 0.344136 * cb - 0.714136 * cr), maxValue);
    values[i + 2] = clamp(Math.round(y + 1.772 * cb), maxValue);
  }
}

function clamp(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}
