// How much this origin stores, and the "Clear cached models" action.
// Model bytes live in the model caches shared by the service worker and the runtime
// (lunglens-sw-models-*, see src/core/runtime/modelCache.ts).
import { MODELS_CACHE_PREFIX, SHELL_CACHE_PREFIX } from './cacheNames.ts';

export type CacheKind = 'app' | 'models' | 'other';

export interface StorageUsage {
  /** From navigator.storage.estimate(); null when the browser does not say. */
  usageBytes: number | null;
  quotaBytes: number | null;
  /** navigator.storage.persisted(): true = the browser will not evict our data under pressure. */
  persisted: boolean | null;
  caches: { name: string; kind: CacheKind }[];
}

export function cacheKind(name: string): CacheKind {
  if (name.startsWith(MODELS_CACHE_PREFIX)) return 'models';
  if (name.startsWith(SHELL_CACHE_PREFIX)) return 'app';
  return 'other';
}

export async function estimateStorage(): Promise<StorageUsage> {
  const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  const estimate = storage?.estimate ? await storage.estimate().catch(() => null) : null;
  const persisted = storage?.persisted ? await storage.persisted().catch(() => null) : null;
  const names = typeof caches !== 'undefined' ? await caches.keys() : [];
  return {
    usageBytes: estimate?.usage ?? null,
    quotaBytes: estimate?.quota ?? null,
    persisted,
    caches: names.map((name) => ({ name, kind: cacheKind(name) })),
  };
}

/**
 * Deletes every cached model file; returns the names of the caches removed. Models are fetched
 * again (and re-cached) the next time an analysis needs them, which needs the network.
 */
export async function clearCachedModels(): Promise<string[]> {
  if (typeof caches === 'undefined') return [];
  const removed: string[] = [];
  for (const name of await caches.keys()) {
    if (cacheKind(name) === 'models' && (await caches.delete(name))) removed.push(name);
  }
  return removed;
}

/** Ask the browser not to evict the offline copy under storage pressure (it may say no). */
export async function requestPersistentStorage(): Promise<boolean> {
  return typeof navigator !== 'undefined' && navigator.storage?.persist ? navigator.storage.persist() : false;
}

/** "12.3 MB" — decimal units, as browsers' own settings pages show them. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
