import { afterEach, describe, expect, it } from 'vitest';
import { findCachedModel, HASH_HEADER, keepModel, RUNTIME_MODELS_CACHE } from './modelCache.ts';

/** In-memory Cache Storage (what the browser gives the worker). */
function fakeCaches() {
  const stores = new Map<string, Map<string, Response>>();
  const open = async (name: string) => {
    if (!stores.has(name)) stores.set(name, new Map());
    const m = stores.get(name)!;
    return {
      match: async (url: string) => m.get(url)?.clone(),
      put: async (url: string, r: Response) => void m.set(url, r),
      delete: async (url: string) => m.delete(url),
    };
  };
  return { stores, api: { keys: async () => [...stores.keys()], open } };
}

const g = globalThis as { caches?: unknown };
afterEach(() => {
  delete g.caches;
});

describe('the model cache shared with the service worker', () => {
  it('finds the service worker\'s copy by URL and hash, and stores nothing twice', async () => {
    const { stores, api } = fakeCaches();
    g.caches = api;
    const url = 'https://app.example/models/m/model.onnx';
    await (await api.open('lunglens-sw-models-abc')).put(url, new Response('sw', { headers: { [HASH_HEADER]: 'h1' } }));
    expect(await (await findCachedModel(url, 'h1'))!.response.text()).toBe('sw');
    expect(await findCachedModel(url, 'h2')).toBeNull(); // an updated model is not served from an old copy
    await keepModel(url, 'h1', new Uint8Array([1]));
    expect(stores.has(RUNTIME_MODELS_CACHE)).toBe(false);
    await keepModel(url, 'h2', new Uint8Array([7, 8]));
    const kept = await findCachedModel(url, 'h2');
    expect(new Uint8Array(await kept!.response.arrayBuffer())).toEqual(new Uint8Array([7, 8]));
    expect([...stores.get(RUNTIME_MODELS_CACHE)!.keys()]).toEqual([url]);
  });

  it('is a no-op without Cache Storage (Node)', async () => {
    expect(await findCachedModel('https://x/m.onnx', 'h')).toBeNull();
    await keepModel('https://x/m.onnx', 'h', new Uint8Array(1));
  });
});
