/**
 * The one Cache Storage home of model files, shared by the inference runtime and the service worker
 * (src/sw/sw.ts uses the same names: it cannot import at runtime). A file is stored once, under its plain
 * URL, tagged with its SHA-256 in a header:
 * - the service worker precaches the bundled models into `lunglens-sw-models-<version>`;
 * - a model the runtime had to download itself (no service worker yet, or a file outside the precache) goes
 *   to `lunglens-sw-models-runtime`; the service worker's install reuses it by hash instead of fetching it
 *   again, and its activation then deletes that cache — one copy either way.
 */
export const MODELS_CACHE_PREFIX = 'lunglens-sw-models-';
export const RUNTIME_MODELS_CACHE = `${MODELS_CACHE_PREFIX}runtime`;
export const HASH_HEADER = 'X-LungLens-Sha256';

const available = () => typeof caches !== 'undefined';

/** A cached copy of `url` with this hash in any model cache, and the cache holding it. */
export async function findCachedModel(url: string, sha256: string): Promise<{ cache: Cache; response: Response } | null> {
  if (!available()) return null;
  for (const name of await caches.keys().catch(() => [] as string[])) {
    if (!name.startsWith(MODELS_CACHE_PREFIX)) continue;
    const cache = await caches.open(name);
    const response = await cache.match(url);
    if (response?.headers.get(HASH_HEADER) === sha256) return { cache, response };
  }
  return null;
}

/** Keeps downloaded bytes unless a model cache already holds them (the service worker stored its fetch). */
export async function keepModel(url: string, sha256: string, bytes: Uint8Array, cacheName = RUNTIME_MODELS_CACHE): Promise<void> {
  if (!available() || (await findCachedModel(url, sha256))) return;
  const headers = { 'Content-Type': 'application/octet-stream', [HASH_HEADER]: sha256 };
  await (await caches.open(cacheName)).put(url, new Response(bytes as BodyInit, { headers })).catch(() => undefined); // quota: run uncached
}
