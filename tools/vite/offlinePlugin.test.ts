import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPrecacheManifest } from './offlinePlugin.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
let dirs: string[] = [];
function fakeDist(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lunglens-dist-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const manifestJson = JSON.stringify({
  schemaVersion: 1,
  models: [{ id: 'a', card: 'a/CARD.md', files: [{ path: 'a/model.onnx', sha256: sha('onnx'), bytes: 4 }] }],
});

describe('precache manifest', () => {
  it('lists built files with hashes, models from the manifest, and skips sw.js/serve.mjs/maps', async () => {
    const dist = fakeDist({
      'index.html': '<html>',
      'assets/app-1.js': 'js',
      'assets/app-1.js.map': '{}',
      'assets/ort.wasm': 'wasm',
      'sw.js': 'old',
      'serve.mjs': 'srv',
      'e2e/fixtures/runtime/runtime-test.html': 'test page',
      'models/manifest.json': manifestJson,
      'models/a/model.onnx': 'onnx',
      'models/a/CARD.md': 'card',
      'models/a/training-log.txt': 'not shipped to the cache',
    });
    const m = await buildPrecacheManifest(dist);
    expect(m.shell.map((e) => e.url)).toEqual(['assets/app-1.js', 'assets/ort.wasm', 'index.html']);
    expect(m.shell.find((e) => e.url === 'assets/ort.wasm')).toEqual({ url: 'assets/ort.wasm', sha256: sha('wasm'), bytes: 4 });
    expect(m.models.map((e) => e.url)).toEqual(['models/a/CARD.md', 'models/a/model.onnx', 'models/manifest.json']);
    expect(m.shellCache).toBe(`lunglens-sw-shell-${m.shellVersion}`);
    expect(m.modelsCache).toBe(`lunglens-sw-models-${m.modelsVersion}`);
    expect(m.headers['Cross-Origin-Embedder-Policy']).toBe('require-corp');
  });

  it('versions are content hashes: a code change keeps the models version', async () => {
    const base = { 'index.html': '<html>', 'models/manifest.json': manifestJson, 'models/a/model.onnx': 'onnx', 'models/a/CARD.md': 'c' };
    const a = await buildPrecacheManifest(fakeDist({ ...base, 'assets/x.js': '1' }));
    const b = await buildPrecacheManifest(fakeDist({ ...base, 'assets/x.js': '2' }));
    const c = await buildPrecacheManifest(fakeDist({ ...base, 'assets/x.js': '1' }));
    expect(a.shellVersion).not.toBe(b.shellVersion);
    expect(a.shellVersion).toBe(c.shellVersion);
    expect(a.modelsVersion).toBe(b.modelsVersion);
  });

  it('a model listed but missing from the build fails the build, naming it', async () => {
    await expect(buildPrecacheManifest(fakeDist({ 'index.html': '<html>', 'models/manifest.json': manifestJson, 'models/a/CARD.md': 'c' }))).rejects.toThrow(
      /models\/a\/model\.onnx is listed/,
    );
  });
});
