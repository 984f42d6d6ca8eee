import { describe, expect, it } from 'vitest';
import type { InputSpec } from '../runtime/manifest.ts';
import { modelInput } from './modelInput.ts';

const spec = (over: Partial<InputSpec>): InputSpec => ({
  name: 'image', layout: 'NCHW', height: 2, width: 2, channels: 1, dtype: 'float32',
  intensity: { source: '8bit', scale: 1 / 255, mean: [0.5], std: [0.25] }, crop: 'none', resize: 'bilinear-half-pixel', ...over,
});
// 4 x 4 grey image: each 2 x 2 quadrant one value
const q = [0, 51, 102, 255];
const gray = { width: 4, height: 4, channels: 1, data: Float32Array.from({ length: 16 }, (_, i) => q[(i >> 3) * 2 + ((i & 3) >> 1)]) };
const norm = (v: number) => Math.fround((v / 255 - 0.5) / 0.25);

describe('modelInput: the manifest `input` decides the tensor', () => {
  it('area resize, normalisation and the placement back to the source', () => {
    const { tensor, placement } = modelInput(gray, spec({ resize: 'area' }));
    expect(tensor.dims).toEqual([1, 1, 2, 2]);
    expect(Array.from(tensor.data)).toEqual(q.map(norm));
    expect(placement).toMatchObject({ sourceWidth: 4, inputWidth: 2, from: { x: 0, y: 0, w: 4, h: 4 }, to: { x: 0, y: 0, w: 2, h: 2 } });
  });

  it('NHWC with 3 channels replicates grey; per-channel mean/std', () => {
    const { tensor } = modelInput(gray, spec({ resize: 'area', layout: 'NHWC', channels: 3, intensity: { source: '8bit', scale: 1, mean: [0, 1, 2], std: [1, 1, 1] } }));
    expect(tensor.dims).toEqual([1, 2, 2, 3]);
    expect(Array.from(tensor.data.slice(0, 6))).toEqual([0, -1, -2, 51, 50, 49]);
  });

  it('lung-box crops first (and needs the box); letterbox pads; resize none refuses another size', () => {
    const crop = modelInput(gray, spec({ crop: 'lung-box', resize: 'none' }), { x: 2, y: 2, w: 2, h: 2 });
    expect(Array.from(crop.tensor.data)).toEqual([255, 255, 255, 255].map(norm));
    expect(crop.placement.from).toEqual({ x: 2, y: 2, w: 2, h: 2 });
    expect(() => modelInput(gray, spec({ crop: 'lung-box' }))).toThrow(/needs the lung box/);
    const wide = { width: 4, height: 2, channels: 1, data: new Float32Array(8).fill(255) };
    const lb = modelInput(wide, spec({ crop: 'letterbox', height: 4, width: 4 }));
    expect(lb.placement.to).toEqual({ x: 0, y: 1, w: 4, h: 2 });
    expect(() => modelInput(gray, spec({ resize: 'none' }))).toThrow(/needs a 2x2 image, got 4x4/);
  });
});
