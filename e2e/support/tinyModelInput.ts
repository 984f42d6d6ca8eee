import { readFileSync } from 'node:fs';
import path from 'node:path';
import { modelInput } from '../../src/core/imageOps/modelInput.ts';
import { findModel, parseManifest } from '../../src/core/runtime/manifest.ts';

/** The runtime fixtures' 8-bit test image as the tiny model's manifest `input` asks for it (no copy of its intensity). */
export function tinyModelInput(fixturesDir: string, input8: readonly number[], modelId = 'tiny-fp32'): number[] {
  const manifest = parseManifest(JSON.parse(readFileSync(path.join(fixturesDir, 'manifest.json'), 'utf8')));
  const { input } = findModel(manifest, modelId);
  const raster = { width: input.width, height: input.height, channels: 1, data: Float32Array.from(input8) };
  return Array.from(modelInput(raster, input).tensor.data);
}
