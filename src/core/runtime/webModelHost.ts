import type { BackendPref } from './engine.ts';
import { parseManifest } from './manifest.ts';
import { ModelHost, type RuntimeNotice } from './modelHost.ts';
import { fetchModelFile, type DownloadProgress } from './modelFiles.ts';
import { createOrtWebEngine, type OrtWebOptions } from './ortWebEngine.ts';
import { createTfjsEngine } from './tfjsEngine.ts';

/**
 * The browser's adapter around the pure ModelHost (the Node one is nodeContext.ts): the manifest and the
 * model files come over HTTP from the app's own origin (verified, kept in the model cache shared with the
 * service worker), ONNX models run on onnxruntime-web, TFJS ones on TensorFlow.js.
 */
export async function createWebModelHost(
  manifestUrl: URL,
  opts: { pref: BackendPref; wasmPaths: OrtWebOptions['wasmPaths']; wasmThreads?: number; onProgress(p: DownloadProgress): void; onNotice(n: RuntimeNotice): void },
): Promise<ModelHost> {
  const response = await fetch(manifestUrl);
  if (!response.ok) throw new Error(`Model manifest not found: ${manifestUrl.pathname} (HTTP ${response.status})`);
  return new ModelHost({
    manifest: parseManifest(await response.json()),
    pref: opts.pref,
    engines: { onnx: createOrtWebEngine({ wasmPaths: opts.wasmPaths, threads: opts.wasmThreads }), tfjs: createTfjsEngine() },
    loadFile: (file) => fetchModelFile(manifestUrl, file, { onProgress: opts.onProgress }),
    onNotice: opts.onNotice,
  });
}
