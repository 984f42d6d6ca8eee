// onnxruntime-web's runtimes, emitted by Vite as same-origin assets: the runtime never fetches from a CDN.
// One per build (see ortWebEngine.ts): the plain WASM build for the CPU, the asyncify build (native WebGPU
// EP + WASM EP) for WebGPU; each is fetched only when its backend runs. `?url` keeps the .mjs glue
// untransformed, as ORT dynamically imports it (and its threads' workers load it again) by URL.
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import wasmMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import asyncifyWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import asyncifyMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';

const here = (url: string) => new URL(url, self.location.href).href;

export const ortWasmPaths = {
  wasm: { wasm: here(wasmUrl), mjs: here(wasmMjsUrl) },
  webgpu: { wasm: here(asyncifyWasmUrl), mjs: here(asyncifyMjsUrl) },
};
