import type { DecodedFrame, FrameSpec } from './decodedFrame.ts';

/** JPEG Lossless, Process 14 (.57 any predictor, .70 SV1) via jpeg-lossless-decoder-js (pure JS). */
export async function decodeJpegLossless(encoded: Uint8Array, spec: FrameSpec): Promise<DecodedFrame> {
  const { Decoder } = await import('jpeg-lossless-decoder-js');
  const bytesPerSample = spec.bitsAllocated <= 8 ? 1 : 2;
  const decoder = new Decoder();
  const out = decoder.decode(encoded.buffer as ArrayBuffer, encoded.byteOffset, encoded.length, bytesPerSample) as Uint8Array | Uint16Array;
  if (bytesPerSample === 2 && spec.pixelRepresentation === 1) {
    return { samples: new Int16Array(out.buffer, out.byteOffset, out.length) };
  }
  return { samples: out };
}
