import { afterEach, describe, expect, it } from 'vitest';
import { RUNTIME_MODELS_CACHE } from '../../core/runtime/modelCache.ts';
import { cacheKind, clearCachedModels, formatBytes } from './storageUsage.ts';

const g = globalThis as { caches?: unknown };
afterEach(() => {
  delete g.caches;
});

describe('storage usage', () => {
  it('classifies caches: runtime + service-worker model caches are "models", the shell is "app"', () => {
    expect(cacheKind(RUNTIME_MODELS_CACHE)).toBe('models');
    expect(cacheKind('lunglens-sw-models-0123abcd')).toBe('models');
    expect(cacheKind('lunglens-sw-shell-0123abcd')).toBe('app');
    expect(cacheKind('something-else')).toBe('other');
  });

  it('clearCachedModels deletes the model caches and nothing else', async () => {
    const names = new Set([RUNTIME_MODELS_CACHE, 'lunglens-sw-models-1', 'lunglens-sw-shell-1', 'other']);
    g.caches = {
      keys: async () => [...names],
      delete: async (n: string) => names.delete(n),
    };
    expect((await clearCachedModels()).sort()).toEqual(['lunglens-sw-models-1', RUNTIME_MODELS_CACHE].sort());
    expect([...names].sort()).toEqual(['lunglens-sw-shell-1', 'other']);
  });

  it('formats bytes in decimal units', () => {
    expect(formatBytes(null)).toBe('unknown');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(31_000_000_000)).toBe('31.0 GB');
  });
});
