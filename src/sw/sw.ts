// LungLens service worker: precaches the app shell, WASM files and bundled models at install,
// serves them cache-first, and lets every other request pass through untouched.
// Built by tools/vite/offlinePlugin.ts into dist/sw.js (types stripped, manifest prepended), so it
// must not import anything at runtime — type imports only.
import type { PrecacheEntry, PrecacheManifest, ServiceWorkerInfo, ServiceWorkerRequest } from './precacheManifest.ts';

declare const self: ServiceWorkerGlobalScope;
declare const __LUNGLENS_PRECACHE__: PrecacheManifest;

const manifest = __LUNGLENS_PRECACHE__;
// Shared with the inference runtime, which reads models from these caches and keeps the ones it had to
// download in `lunglens-sw-models-runtime` (src/core/runtime/modelCache.ts: same names, no runtime import here).
const OWN_CACHE = /^lunglens-sw-(shell|models)-/;
/** Stored with each cached response so an update can reuse an unchanged file instead of refetching. */
const HASH_HEADER = 'X-LungLens-Sha256';

const scopeUrl = (): URL => new URL(self.registration.scope);
const absolute = (rel: string): string => new URL(rel, scopeUrl()).href;

interface Located {
  entry: PrecacheEntry;
  cacheName: string;
}

let lookupTable: Map<string, Located> | undefined;
/** Absolute URL without query/hash → precache entry and the cache that holds it. */
function lookup(url: string): Located | undefined {
  if (!lookupTable) {
    lookupTable = new Map();
    for (const entry of manifest.shell) lookupTable.set(absolute(entry.url), { entry, cacheName: manifest.shellCache });
    for (const entry of manifest.models) lookupTable.set(absolute(entry.url), { entry, cacheName: manifest.modelsCache });
  }
  const u = new URL(url);
  u.search = '';
  u.hash = '';
  return lookupTable.get(u.href);
}

/** A cached copy with the given hash in any of our caches (old versions included), if any. */
async function findByHash(url: string, sha256: string): Promise<Response | undefined> {
  for (const name of await caches.keys()) {
    if (!OWN_CACHE.test(name)) continue;
    const hit = await (await caches.open(name)).match(url);
    if (hit && hit.headers.get(HASH_HEADER) === sha256) return hit;
  }
  return undefined;
}

/** Response with our hash header added, body preserved. */
function tagged(response: Response, sha256: string): Response {
  const headers = new Headers(response.headers);
  headers.set(HASH_HEADER, sha256);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function precache(cacheName: string, entries: PrecacheEntry[]): Promise<void> {
  const cache = await caches.open(cacheName);
  for (const entry of entries) {
    const url = absolute(entry.url);
    const reused = await findByHash(url, entry.sha256);
    if (reused) {
      await cache.put(url, reused);
      continue;
    }
    // 'reload' bypasses the HTTP cache: a stale copy must not be pinned for the life of a version.
    const response = await fetch(new Request(url, { cache: 'reload', credentials: 'same-origin' }));
    if (!response.ok) throw new Error(`LungLens precache: ${url} → HTTP ${response.status}`);
    await cache.put(url, tagged(response, entry.sha256));
  }
}

/**
 * Re-add the security headers on whatever we serve. Without COOP/COEP on the cached navigation
 * response the page would silently lose cross-origin isolation offline (no SharedArrayBuffer,
 * single-threaded WASM); it also makes isolation work on hosts that cannot set headers.
 */
function withSecurityHeaders(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.delete(HASH_HEADER);
  for (const [k, v] of Object.entries(manifest.headers)) headers.set(k, v);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function cacheFirst(request: Request, located: Located): Promise<Response> {
  const cache = await caches.open(located.cacheName);
  const url = absolute(located.entry.url);
  const hit = await cache.match(url);
  if (hit) return withSecurityHeaders(hit);
  // Missing (e.g. the user cleared cached models): fetch and keep it for next time.
  const response = await fetch(request);
  if (response.ok && response.status === 200) await cache.put(url, tagged(response.clone(), located.entry.sha256));
  return response;
}

async function navigation(request: Request): Promise<Response> {
  const target = lookup(request.url) ?? lookup(absolute('index.html'));
  if (!target) return fetch(request);
  const hit = await (await caches.open(target.cacheName)).match(absolute(target.entry.url));
  return hit ? withSecurityHeaders(hit) : fetch(request);
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    Promise.all([precache(manifest.shellCache, manifest.shell), precache(manifest.modelsCache, manifest.models)]),
  );
  // No skipWaiting here: a new version waits until the user chooses "Reload".
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([manifest.shellCache, manifest.modelsCache]);
      for (const name of await caches.keys()) {
        if (OWN_CACHE.test(name) && !keep.has(name)) await caches.delete(name);
      }
      // Control the page of the very first visit too, so it is offline-ready without a reload.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // Off-origin requests are not ours to serve (and CSP connect-src 'self' blocks them anyway).
  if (url.origin !== self.location.origin) return;
  if (!url.href.startsWith(scopeUrl().href)) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigation(request));
    return;
  }
  const located = lookup(request.url);
  if (located && !request.headers.has('range')) event.respondWith(cacheFirst(request, located));
});

self.addEventListener('message', (event) => {
  const data = event.data as ServiceWorkerRequest | undefined;
  if (data?.type === 'lunglens:skip-waiting') {
    void self.skipWaiting();
  } else if (data?.type === 'lunglens:get-info') {
    const all = [...manifest.shell, ...manifest.models];
    const info: ServiceWorkerInfo = {
      shellVersion: manifest.shellVersion,
      modelsVersion: manifest.modelsVersion,
      shellFiles: manifest.shell.length,
      modelFiles: manifest.models.length,
      bytes: all.reduce((sum, e) => sum + e.bytes, 0),
    };
    event.ports[0]?.postMessage(info);
  }
});
