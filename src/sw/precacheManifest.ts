// What the build tells the service worker (tools/vite/offlinePlugin.ts writes it into dist/sw.js).

/** One file to precache; `url` is relative to the service worker's scope (= the app's base). */
export interface PrecacheEntry {
  url: string;
  /** SHA-256 (hex) of the file content; lets an update reuse unchanged files from the old cache. */
  sha256: string;
  bytes: number;
}

export interface PrecacheManifest {
  /** Content hash of the app shell list: a new value = a new version of the app. */
  shellVersion: string;
  /** Content hash of the bundled model files: models are re-downloaded only when this changes. */
  modelsVersion: string;
  shell: PrecacheEntry[];
  models: PrecacheEntry[];
  /** Cache names derived from the versions (see src/app/offline/cacheNames.ts). */
  shellCache: string;
  modelsCache: string;
  /** Headers put back on every response the worker serves (COOP/COEP/CORP/CSP...). */
  headers: Record<string, string>;
}

/** Messages the page sends to the service worker. */
export type ServiceWorkerRequest = { type: 'lunglens:skip-waiting' } | { type: 'lunglens:get-info' };

/** The worker's answer to `lunglens:get-info` (through the MessageChannel port sent with it). */
export interface ServiceWorkerInfo {
  shellVersion: string;
  modelsVersion: string;
  shellFiles: number;
  modelFiles: number;
  bytes: number;
}
