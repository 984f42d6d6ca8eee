import type { FrameSpec } from './decodedFrame.ts';
import { emscriptenOptions, type WasmCodec } from './wasmLocation.ts';

/** Shape shared by the @cornerstonejs/codec-* decoder classes. */
export interface EmscriptenDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  delete(): void;
}

type Factory = (options: object) => Promise<Record<string, unknown>>;

const modules = new Map<WasmCodec, Promise<Record<string, unknown>>>();

/** Instantiates a codec once (lazily) and reuses it; a failed load may be retried. */
export function loadCodec(codec: WasmCodec, importer: () => Promise<unknown>): Promise<Record<string, unknown>> {
  let p = modules.get(codec);
  if (!p) {
    p = importer().then((m) => {
      const mod = m as { default?: unknown };
      const factory = (typeof mod.default === 'function' ? mod.default : (mod.default as { default?: unknown })?.default ?? m) as Factory;
      return factory(emscriptenOptions(codec));
    });
    p.catch(() => modules.delete(codec));
    modules.set(codec, p);
  }
  return p;
}

/** Runs one decode through a codec class and copies the result out of the wasm heap. */
export function runDecoder(
  DecoderClass: new () => EmscriptenDecoder,
  encoded: Uint8Array,
): { bytes: Uint8Array; info: ReturnType<EmscriptenDecoder['getFrameInfo']> } {
  const decoder = new DecoderClass();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    try {
      decoder.decode();
    } catch (e) {
      // A C++ exception reaches JS as a bare number (a pointer): say what it means instead.
      throw typeof e === 'number' ? new Error('the compressed data is corrupt (the codec gave up on it)') : e;
    }
    const info = decoder.getFrameInfo();
    const bytes = decoder.getDecodedBuffer().slice();
    return { bytes, info };
  } finally {
    decoder.delete();
  }
}

/** Reinterprets decoded bytes as the sample words the header announces. */
export function wordsFromBytes(bytes: Uint8Array, bitsPerSample: number, signed: boolean): Uint8Array | Uint16Array | Int16Array {
  if (bitsPerSample <= 8) return bytes;
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  const n = Math.floor(aligned.byteLength / 2);
  return signed ? new Int16Array(aligned.buffer, aligned.byteOffset, n) : new Uint16Array(aligned.buffer, aligned.byteOffset, n);
}

/** The decoded stream must be the image the header describes (a wrong header would otherwise be read as garbage). */
export function checkDecodedShape(info: ReturnType<EmscriptenDecoder['getFrameInfo']>, spec: FrameSpec): void {
  if (info.width !== spec.columns || info.height !== spec.rows || info.componentCount !== spec.samplesPerPixel) {
    throw new Error(`the compressed stream is ${info.width}×${info.height}×${info.componentCount}, the header says ` +
      `${spec.columns}×${spec.rows}×${spec.samplesPerPixel}`);
  }
  if (info.bitsPerSample > spec.bitsAllocated) {
    throw new Error(`the compressed stream has ${info.bitsPerSample}-bit samples, more than Bits Allocated ${spec.bitsAllocated}`);
  }
}
