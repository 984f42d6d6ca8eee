import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AnalysisContext } from '../analyses/analysisModule.ts';
import type { BackendPref } from './engine.ts';
import { parseManifest, type Manifest } from './manifest.ts';
import { ModelHost, type RuntimeNotice } from './modelHost.ts';
import { ModelFileMissingError, verifyModelBytes } from './modelFiles.ts';
import { createOrtNodeEngine } from './ortNodeEngine.ts';

export interface NodeAnalysisContext extends AnalysisContext {
  readonly manifest: Manifest;
  readonly host: ModelHost;
  release(): Promise<void>;
}

/**
 * The CLI's AnalysisContext: reads `<modelsDir>/manifest.json`, validates it, and opens
 * onnxruntime-node sessions on demand from files verified against their size and SHA-256.
 * TFJS-format models are not run by the CLI (no native TFJS backend installed).
 */
export async function createNodeAnalysisContext(
  modelsDir: string,
  opts: { threads?: number; onNotice?: (n: RuntimeNotice) => void; manifestFile?: string } = {},
): Promise<NodeAnalysisContext> {
  const manifestPath = path.join(modelsDir, opts.manifestFile ?? 'manifest.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read model manifest ${manifestPath}: ${(e as Error).message}`);
  }
  const manifest = parseManifest(json);
  const host = new ModelHost({
    manifest,
    engines: { onnx: createOrtNodeEngine({ threads: opts.threads }) },
    pref: 'wasm' satisfies BackendPref,
    onNotice: opts.onNotice,
    async loadFile(file) {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(path.join(modelsDir, file.path)));
      } catch (e) {
        throw new ModelFileMissingError(file.path, `${(e as NodeJS.ErrnoException).code ?? 'unreadable'} in ${modelsDir}`);
      }
      await verifyModelBytes(file, bytes);
      return bytes;
    },
  });
  return {
    manifest,
    host,
    getSession: (id) => host.getSession(id),
    release: () => host.release(),
  };
}
