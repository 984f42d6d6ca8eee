import type { DecodedFrame, FrameSpec } from './decodedFrame.ts';
import { checkDecodedShape, loadCodec, runDecoder, wordsFromBytes, type EmscriptenDecoder } from './emscriptenCodec.ts';

/** JPEG-LS (.80/.81) via CharLS (wasm). */
export async function decodeJpegLs(encoded: Uint8Array, spec: FrameSpec): Promise<DecodedFrame> {
  const mod = await loadCodec('charls', () => import('@cornerstonejs/codec-charls/decodewasmjs'));
  const { bytes, info } = runDecoder(mod.JpegLSDecoder as new () => EmscriptenDecoder, encoded);
  checkDecodedShape(info, spec);
  return { samples: wordsFromBytes(bytes, Math.max(info.bitsPerSample, spec.bitsAllocated > 8 ? 9 : 8), spec.pixelRepresentation === 1) };
}
