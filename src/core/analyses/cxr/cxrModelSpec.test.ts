import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CXR_DETECTION, CXR_INPUT, CXR_LABELS, CXR_MODEL_IDS } from './cxrModelSpec.ts';

interface Entry {
  id: string;
  input: { name: string; height: number; width: number; channels: number; intensity: { scale: number; mean: number[]; std: number[] }; resize: string; crop: string };
  outputs: { name: string; shape: number[] }[];
  labels?: string[];
  extra?: Record<string, unknown>;
}

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../models/manifest.json'), 'utf8')) as { models: Entry[] };
const entry = (id: string): Entry => {
  const e = manifest.models.find((m) => m.id === id);
  if (!e) throw new Error(`models/manifest.json has no entry '${id}'`);
  return e;
};

describe('cxrModelSpec agrees with models/manifest.json (written by training/cxr/run.py)', () => {
  it('every CXR model takes the shared 128x128 area-resized input', () => {
    for (const id of Object.values(CXR_MODEL_IDS)) {
      const e = entry(id);
      expect(e.input.name).toBe(CXR_INPUT.name);
      expect([e.input.height, e.input.width, e.input.channels]).toEqual([CXR_INPUT.size, CXR_INPUT.size, 1]);
      expect(e.input.intensity.scale).toBeCloseTo(CXR_INPUT.intensity.scale, 12);
      expect(e.input.intensity.mean).toEqual([...CXR_INPUT.intensity.mean]);
      expect(e.input.intensity.std).toEqual([...CXR_INPUT.intensity.std]);
      expect(e.input.resize).toBe('area');
      expect(e.input.crop).toBe('none');
    }
  });

  it('labels, output names and detector constants match', () => {
    expect(entry(CXR_MODEL_IDS.classification).labels).toEqual([...CXR_LABELS]);
    expect(entry(CXR_MODEL_IDS.classification).outputs[0]).toMatchObject({ name: 'logits', shape: [-1, 3] });
    expect(entry(CXR_MODEL_IDS.segmentation).outputs[0]).toMatchObject({ name: 'logits', shape: [-1, 2, 128, 128] });
    const a = entry(CXR_MODEL_IDS.detectorA);
    const b = entry(CXR_MODEL_IDS.detectorB);
    expect(a.outputs[0].name).toBe('head');
    expect(b.outputs[0].name).toBe('head');
    expect(a.extra?.stride).toBe(CXR_DETECTION.yoloStride);
    expect(b.extra?.stride).toBe(CXR_DETECTION.centerNetStride);
    for (const e of [a, b]) {
      expect(e.extra?.scoreMin).toBe(CXR_DETECTION.scoreMin);
      expect(e.extra?.nmsIou).toBe(CXR_DETECTION.nmsIou);
      expect(e.extra?.maxDetections).toBe(CXR_DETECTION.maxDetections);
      expect(e.extra?.wbfIou).toBe(CXR_DETECTION.wbfIou);
      expect(e.extra?.displayScore).toBe(CXR_DETECTION.displayScore);
    }
  });
});
