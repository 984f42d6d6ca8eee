import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filesToPublish } from './modelsPlugin.ts';

describe('modelsPlugin.filesToPublish', () => {
  it('ships the manifest, the files it lists that exist, cards with their images, README — nothing else', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'models-'));
    const w = (rel: string) => {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), 'x');
    };
    ['a/model.int8.onnx', 'a/model.fp32.onnx', 'a/CARD.md', 'a/curve.png', 'README.md', 'stray/checkpoint.onnx'].forEach(w);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      schemaVersion: 1,
      models: [{ id: 'a', card: 'a/CARD.md', files: [{ path: 'a/model.int8.onnx' }, { path: 'a/missing.onnx' }] }],
    }));
    expect(await filesToPublish(dir)).toEqual(['README.md', 'a/CARD.md', 'a/curve.png', 'a/model.int8.onnx', 'manifest.json']);
  });
  it('no manifest → nothing', async () => {
    expect(await filesToPublish(mkdtempSync(path.join(os.tmpdir(), 'models-')))).toEqual([]);
  });
});
