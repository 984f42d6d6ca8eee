// Cache Storage names of the service worker; the model caches are shared with the inference runtime
// (src/core/runtime/modelCache.ts).
import { MODELS_CACHE_PREFIX } from '../../core/runtime/modelCache.ts';

export { MODELS_CACHE_PREFIX };
export const SHELL_CACHE_PREFIX = 'lunglens-sw-shell-';

export const shellCacheName = (version: string): string => SHELL_CACHE_PREFIX + version;
export const modelsCacheName = (version: string): string => MODELS_CACHE_PREFIX + version;
