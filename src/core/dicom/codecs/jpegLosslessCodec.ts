import type { DecodedFrame, FrameSpec } from './decodedFrame.ts';
import { decodeJpegLosslessStream } from './jpegLosslessDecoder.ts';

/** JPEG Lossless, Process 14 (.57 any predictor, .70 SV1); the stream must match the header. */
export async function decodeJpegLossless(encoded: Uint8Array, spec: FrameSpec): Promise<DecodedFrame> {
  const image = decodeJpegLosslessStream(encoded, spec.rows);
  if (image.width !== spec.columns || image.height !== spec.rows || image.components !== spec.samplesPerPixel) {
    throw new Error(`the JPEG stream is ${image.width}×${image.height}×${image.components}, the header says ` +
      `${spec.columns}×${spec.rows}×${spec.samplesPerPixel}`);
  }
  if (image.precision > spec.bitsAllocated) {
    throw new Error(`the JPEG stream has ${image.precision}-bit samples, more than Bits Allocated ${spec.bitsAllocated}`);
  }
  return { samples: image.samples };
}
