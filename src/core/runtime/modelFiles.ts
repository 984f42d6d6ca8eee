import type { ModelFile } from './manifest.ts';
import { findCachedModel, keepModel } from './modelCache.ts';
import { sha256Hex } from './sha256.ts';

/** A model file that is absent or could not be read; `path` names it (relative to models/). */
export class ModelFileMissingError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`Model file missing: ${path} (${detail})`);
    this.name = 'ModelFileMissingError';
  }
}

/** A model file whose size or SHA-256 differs from the manifest: it is refused, never run. */
export class ModelIntegrityError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`Refused model file ${path}: ${detail}. The file was altered or corrupted; it will not be run.`);
    this.name = 'ModelIntegrityError';
  }
}

/** Throws ModelIntegrityError unless `bytes` has the manifest's size and SHA-256. */
export async function verifyModelBytes(file: ModelFile, bytes: Uint8Array): Promise<void> {
  if (bytes.byteLength !== file.bytes) {
    throw new ModelIntegrityError(file.path, `size ${bytes.byteLength} bytes, manifest says ${file.bytes}`);
  }
  const got = await sha256Hex(bytes);
  if (got !== file.sha256) {
    throw new ModelIntegrityError(file.path, `SHA-256 ${got} does not match the manifest's ${file.sha256}`);
  }
}

export interface DownloadProgress {
  path: string;
  loadedBytes: number;
  totalBytes: number;
  fromCache: boolean;
}

export interface FetchModelOptions {
  onProgress?: (p: DownloadProgress) => void;
  /** false: neither read nor write the model cache (tests of the tamper path). */
  cache?: boolean;
  fetchImpl?: typeof fetch;
}

/**
 * Downloads one manifest file from `baseUrl` (the folder holding manifest.json) with
 * progress, verifies size + SHA-256, and keeps it in the model cache shared with the service worker
 * (modelCache.ts) so later and offline visits read it locally. Cached copies are looked up by URL and
 * hash, so an updated model is fetched again; a cached copy is re-verified before use (a bad one is evicted).
 */
export async function fetchModelFile(baseUrl: string | URL, file: ModelFile, opts: FetchModelOptions = {}): Promise<Uint8Array> {
  const url = new URL(file.path, baseUrl).href;
  const useCache = opts.cache !== false;
  const hit = useCache ? await findCachedModel(url, file.sha256) : null;
  if (hit) {
    const bytes = new Uint8Array(await hit.response.arrayBuffer());
    try {
      await verifyModelBytes(file, bytes);
      opts.onProgress?.({ path: file.path, loadedBytes: bytes.byteLength, totalBytes: file.bytes, fromCache: true });
      return bytes;
    } catch {
      await hit.cache.delete(url);
    }
  }

  let response: Response;
  try {
    response = await (opts.fetchImpl ?? fetch)(url);
  } catch (e) {
    throw new ModelFileMissingError(file.path, `could not download ${url}: ${(e as Error).message}`);
  }
  if (!response.ok) {
    throw new ModelFileMissingError(file.path, `HTTP ${response.status} for ${url}`);
  }
  // Static hosts with an SPA fallback answer a missing file with index.html and 200.
  if ((response.headers.get('Content-Type') ?? '').startsWith('text/html')) {
    throw new ModelFileMissingError(file.path, `the server answered ${url} with an HTML page, not the model file`);
  }
  const bytes = await readWithProgress(response, file, opts.onProgress);
  await verifyModelBytes(file, bytes);
  if (useCache) await keepModel(url, file.sha256, bytes);
  return bytes;
}

async function readWithProgress(
  response: Response,
  file: ModelFile,
  onProgress?: (p: DownloadProgress) => void,
): Promise<Uint8Array> {
  const report = (n: number) =>
    onProgress?.({ path: file.path, loadedBytes: n, totalBytes: file.bytes, fromCache: false });
  if (!response.body) {
    const b = new Uint8Array(await response.arrayBuffer());
    report(b.byteLength);
    return b;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  report(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    // Stop early on an oversized (wrong) file instead of buffering it all.
    if (loaded > file.bytes) {
      await reader.cancel();
      throw new ModelIntegrityError(file.path, `download exceeds the manifest's ${file.bytes} bytes`);
    }
    report(loaded);
  }
  const out = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

