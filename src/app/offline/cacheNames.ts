// Cache Storage names owned by the service worker. Prefixed so they never collide with the
// inference runtime's own model cache (src/core/runtime/modelFiles.ts).

export const SHELL_CACHE_PREFIX = 'lunglens-sw-shell-';
export const MODELS_CACHE_PREFIX = 'lunglens-sw-models-';

export const shellCacheName = (version: string): string => SHELL_CACHE_PREFIX + version;
export const modelsCacheName = (version: string): string => MODELS_CACHE_PREFIX + version;
