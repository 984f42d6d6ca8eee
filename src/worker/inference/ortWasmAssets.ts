// onnxruntime-web's asyncify build (native WebGPU EP + WASM EP in one binary, see ortWebEngine.ts), emitted by Vite as same-origin
// assets: the runtime never fetches from a CDN. `?url` keeps the .mjs glue untransformed, as ORT
// dynamically imports it (and its threads' workers load it again) by URL.
import asyncifyWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import asyncifyMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';

export const ortWasmPaths = {
  wasm: new URL(asyncifyWasmUrl, self.location.href).href,
  mjs: new URL(asyncifyMjsUrl, self.location.href).href,
};
