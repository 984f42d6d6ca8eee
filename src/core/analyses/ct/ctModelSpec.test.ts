import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../runtime/manifest.ts';
import { CT_REGRESSION, CT_SEGMENTATION } from './ctModelSpec.ts';

const manifest = parseManifest(JSON.parse(readFileSync(path.resolve(__dirname, '../../../../models/manifest.json'), 'utf8')));
const entry = (id: string) => {
  const m = manifest.models.find((x) => x.id === id);
  if (!m) throw new Error(`${id} missing from models/manifest.json`);
  return m;
};

describe('ctModelSpec agrees with models/manifest.json', () => {
  for (const spec of [CT_REGRESSION, CT_SEGMENTATION]) {
    it(spec.id, () => {
      const m = entry(spec.id);
      expect(m.modality).toBe('ct');
      expect(m.input.name).toBe(spec.inputName);
      expect([m.input.height, m.input.width, m.input.channels]).toEqual([spec.size, spec.size, 1]);
      expect(m.input.layout).toBe('NCHW');
      expect(m.input.crop).toBe('lung-box');
      expect(m.input.resize).toBe('bilinear-half-pixel');
      expect(m.input.intensity.scale).toBeCloseTo(spec.intensity.scale, 12);
      expect(m.input.intensity.mean).toEqual(spec.intensity.mean);
      expect(m.input.intensity.std).toEqual(spec.intensity.std);
      expect(m.outputs.map((o) => o.name).sort()).toEqual(Object.values(spec.outputs).sort());
      expect(m.quantization).toBe('int8-weights');
    });
  }

  it('segmentation labels, threshold and window', () => {
    const m = entry(CT_SEGMENTATION.id);
    expect(m.labels).toEqual([...CT_SEGMENTATION.labels]);
    expect(m.extra?.threshold).toBe(CT_SEGMENTATION.threshold);
    expect(m.extra?.windowHu).toEqual(CT_SEGMENTATION.windowHu);
  });

  it('regression decode is linear + softmax-expectation over 101 bins', () => {
    const m = entry(CT_REGRESSION.id);
    const bins = m.outputs.find((o) => o.name === CT_REGRESSION.outputs.bins)!;
    expect(bins.decode).toBe('softmax-expectation');
    expect(bins.shape[1]).toBe(101);
    expect(m.outputs.find((o) => o.name === CT_REGRESSION.outputs.linear)!.decode).toBe('linear');
    expect(m.extra?.windowHu).toEqual(CT_REGRESSION.windowHu);
  });
});
