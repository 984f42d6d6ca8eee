/**
 * Where the Emscripten codecs find their .wasm. In Node the codecs read the file next to
 * their own .js (Emscripten's default). A bundled browser build must say where Vite put
 * them: the decode worker imports the `?url`s and calls setCodecWasmUrls before decoding.
 * Kept here so src/core stays free of Vite-only imports.
 */
export type WasmCodec = 'charls' | 'openjpeg' | 'libjpegTurbo';

const urls: Partial<Record<WasmCodec, string>> = {};

export function setCodecWasmUrls(next: Partial<Record<WasmCodec, string>>): void {
  Object.assign(urls, next);
}

/** Options for an Emscripten module factory. */
export function emscriptenOptions(codec: WasmCodec): EmscriptenOptions {
  // OpenJPEG logs [INFO] lines through print: keep stdout clean (the CLI prints JSON there).
  const quiet: EmscriptenOptions = { print: () => {}, printErr: () => {} };
  const url = urls[codec];
  if (!url) return quiet;
  return { ...quiet, locateFile: (path, prefix) => (path.endsWith('.wasm') ? url : prefix + path) };
}

interface EmscriptenOptions {
  locateFile?: (path: string, prefix: string) => string;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}
