import type { DecodedFrame, FrameSpec } from './decodedFrame.ts';
import { checkDecodedShape, loadCodec, runDecoder, type EmscriptenDecoder } from './emscriptenCodec.ts';

/** 8-bit JPEG baseline (.50) via libjpeg-turbo (wasm); colour is converted to RGB by libjpeg. */
export async function decodeJpegBaseline(encoded: Uint8Array, spec: FrameSpec): Promise<DecodedFrame> {
  const mod = await loadCodec('libjpegTurbo', () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'));
  const { bytes, info } = runDecoder(mod.JPEGDecoder as new () => EmscriptenDecoder, encoded);
  checkDecodedShape(info, spec);
  if (info.bitsPerSample > 8) throw new Error(`JPEG baseline stream declares ${info.bitsPerSample}-bit samples`);
  return { samples: bytes, convertedToRgb: spec.samplesPerPixel === 3 };
}
