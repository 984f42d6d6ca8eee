import { describe, expect, it } from 'vitest';
import { rasterFrom } from './raster.ts';
import { cropRaster, cropResize } from './crop.ts';
import { letterbox } from './letterbox.ts';
import { normalizeToTensor } from './normalize.ts';
import { windowToUint8 } from './window.ts';
import { inputToSource } from './placement.ts';

describe('cropRaster', () => {
  const img = rasterFrom([1, 2, 3, 4, 5, 6, 7, 8, 9], 3, 3);
  it('copies an inner rectangle', () => {
    expect(Array.from(cropRaster(img, { x: 1, y: 1, w: 2, h: 2 }).data)).toEqual([5, 6, 8, 9]);
  });
  it('fills outside the image', () => {
    expect(Array.from(cropRaster(img, { x: -1, y: 2, w: 3, h: 2 }, -7).data)).toEqual([-7, 7, 8, -7, -7, -7]);
  });
  it('rejects fractional rects', () => {
    expect(() => cropRaster(img, { x: 0.5, y: 0, w: 1, h: 1 })).toThrow(/integers/);
  });
  it('cropResize records the placement', () => {
    const { raster, placement } = cropResize(img, { x: 1, y: 0, w: 2, h: 3 }, 4, 6);
    expect(raster.width).toBe(4);
    expect(placement.from).toEqual({ x: 1, y: 0, w: 2, h: 3 });
    expect(inputToSource(placement, 4, 6)).toEqual({ x: 3, y: 3 });
  });
});

describe('letterbox', () => {
  it('centres a wide image with padding above and below', () => {
    // 4x2 into 4x4: scale 1, 4x2 content at y=1
    const { raster, placement } = letterbox(rasterFrom([1, 2, 3, 4, 5, 6, 7, 8], 4, 2), 4, 4, 0);
    expect(Array.from(raster.data)).toEqual([0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0]);
    expect(placement.to).toEqual({ x: 0, y: 1, w: 4, h: 2 });
  });
  it('odd padding goes right', () => {
    // 2x4 into 5x4: scale 1, content 2 wide, padX = floor(3/2) = 1
    const { placement } = letterbox(rasterFrom(new Array(8).fill(1), 2, 4), 5, 4);
    expect(placement.to).toEqual({ x: 1, y: 0, w: 2, h: 4 });
  });
  it('downscales by the limiting side', () => {
    const { placement } = letterbox(rasterFrom(new Array(200).fill(1), 20, 10), 8, 8);
    expect(placement.to).toEqual({ x: 0, y: 2, w: 8, h: 4 });
  });
});

describe('normalizeToTensor', () => {
  const spec = { source: '8bit', scale: 1 / 255, mean: [0.5], std: [0.25] };
  it('applies (p*scale - mean)/std in NCHW', () => {
    const t = normalizeToTensor(rasterFrom([0, 255, 127.5, 51], 2, 2), spec, 'NCHW');
    expect(t.dims).toEqual([1, 1, 2, 2]);
    const expected = [-2, 2, 0, (0.2 - 0.5) / 0.25];
    t.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });
  it('replicates grey into 3 channels with per-channel stats, NCHW and NHWC', () => {
    const s3 = { source: '8bit', scale: 1, mean: [0, 1, 2], std: [1, 2, 4] };
    const r = rasterFrom([10, 20], 2, 1);
    expect(Array.from(normalizeToTensor(r, s3, 'NCHW', 3).data)).toEqual([10, 20, 4.5, 9.5, 2, 4.5]);
    const nhwc = normalizeToTensor(r, s3, 'NHWC', 3);
    expect(nhwc.dims).toEqual([1, 1, 2, 3]);
    expect(Array.from(nhwc.data)).toEqual([10, 4.5, 2, 20, 9.5, 4.5]);
  });
  it('rejects a mean of the wrong length', () => {
    expect(() => normalizeToTensor(rasterFrom([1], 1, 1), { ...spec, mean: [1, 2] }, 'NCHW', 3)).toThrow(/mean/);
  });
});

describe('windowToUint8', () => {
  it('maps the lung window linearly and clamps', () => {
    // centre -600, width 1500: lo = -1350, hi = 150
    expect(Array.from(windowToUint8([-2000, -1350, -600, 150, 3000], -600, 1500))).toEqual([0, 0, 128, 255, 255]);
  });
});
