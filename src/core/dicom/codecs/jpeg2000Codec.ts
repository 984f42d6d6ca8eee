import type { DecodedFrame, FrameSpec } from './decodedFrame.ts';
import { checkDecodedShape, loadCodec, runDecoder, wordsFromBytes, type EmscriptenDecoder } from './emscriptenCodec.ts';

/** JPEG 2000 (.90/.91) via OpenJPEG (wasm). Colour streams come out as RGB (MCT undone). */
export async function decodeJpeg2000(encoded: Uint8Array, spec: FrameSpec): Promise<DecodedFrame> {
  const mod = await loadCodec('openjpeg', () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'));
  const { bytes, info } = runDecoder(mod.J2KDecoder as new () => EmscriptenDecoder, encoded);
  checkDecodedShape(info, spec);
  const signed = info.isSigned ?? spec.pixelRepresentation === 1;
  return { samples: wordsFromBytes(bytes, info.bitsPerSample, signed), convertedToRgb: info.componentCount === 3 };
}
