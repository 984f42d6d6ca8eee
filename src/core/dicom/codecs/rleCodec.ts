import type { DecodedFrame, FrameSpec } from './decodedFrame.ts';

/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of up to 15 segment offsets; one
 * PackBits segment per byte plane, most significant byte first, each sample plane in turn.
 * Output is little-endian words, interleaved samples.
 */
export function decodeRle(encoded: Uint8Array, spec: FrameSpec): DecodedFrame {
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  if (encoded.length < 64) throw new Error('RLE frame shorter than its 64-byte header');
  const segments = view.getUint32(0, true);
  const bytesPerSample = spec.bitsAllocated / 8;
  const expected = bytesPerSample * spec.samplesPerPixel;
  if (!Number.isInteger(bytesPerSample) || segments !== expected) {
    throw new Error(`RLE: ${segments} segments, expected ${expected}`);
  }
  const pixels = spec.rows * spec.columns;
  const out = new Uint8Array(pixels * expected);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + s * 4, true);
    const end = s + 1 < segments ? view.getUint32(8 + s * 4, true) : encoded.length;
    const sample = Math.floor(s / bytesPerSample);
    const byteInWord = bytesPerSample - 1 - (s % bytesPerSample); // MSB segment first
    decodePackBits(encoded, start, Math.min(end, encoded.length), out, sample * bytesPerSample + byteInWord, expected, pixels);
  }
  if (bytesPerSample === 1) return { samples: out };
  if (bytesPerSample === 2) {
    return { samples: spec.pixelRepresentation === 1 ? new Int16Array(out.buffer) : new Uint16Array(out.buffer) };
  }
  return { samples: spec.pixelRepresentation === 1 ? new Int32Array(out.buffer) : new Uint32Array(out.buffer) };
}

function decodePackBits(src: Uint8Array, start: number, end: number, out: Uint8Array, first: number, stride: number, count: number): void {
  let i = start;
  let o = 0;
  while (i < end && o < count) {
    const n = (src[i++] << 24) >> 24; // signed header byte
    if (n >= 0) {
      for (let k = 0; k <= n && o < count && i < end; k++) out[first + stride * o++] = src[i++];
    } else if (n !== -128) {
      const v = src[i++];
      for (let k = 0; k < 1 - n && o < count; k++) out[first + stride * o++] = v;
    }
  }
  if (o < count) throw new Error(`RLE segment ended after ${o} of ${count} bytes`);
}
