import type { DecodedFrame, FrameSpec } from './decodedFrame.ts';

/**
 * JPEG Extended / progressive with 12-bit samples (.51/.53/.55): libjpeg-turbo-8bit cannot,
 * so a vendored pure-JS DCT decoder (jpeg-js with >8-bit precision kept) is used. 8-bit
 * streams under these UIDs go through the same decoder.
 */
export async function decodeJpegExtended(encoded: Uint8Array, spec: FrameSpec): Promise<DecodedFrame> {
  const { decodeJpegDct } = await import('./jpegDctDecoder.js');
  // DICOM colour JPEG is YBR_FULL_422 in the stream; ask for RGB like libjpeg would.
  const result = decodeJpegDct(encoded, spec.samplesPerPixel === 3 ? true : undefined);
  if (result.width !== spec.columns || result.height !== spec.rows || result.components !== spec.samplesPerPixel) {
    throw new Error(`the JPEG stream is ${result.width}×${result.height}×${result.components}, the header says ` +
      `${spec.columns}×${spec.rows}×${spec.samplesPerPixel}`);
  }
  return { samples: result.data, convertedToRgb: spec.samplesPerPixel === 3 };
}
