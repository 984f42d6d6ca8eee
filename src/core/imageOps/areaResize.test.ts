import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { areaResize } from './areaResize.ts';

describe('areaResize', () => {
  it('is the 2x2 mean for an exact 2x downscale (the training downsample)', () => {
    const data = Float32Array.from({ length: 16 }, (_, i) => (i * 37) % 255);
    const out = areaResize({ width: 4, height: 4, channels: 1, data }, 2, 2);
    const mean = (a: number, b: number, c: number, d: number) => (data[a] + data[b] + data[c] + data[d]) / 4;
    expect(Array.from(out.data)).toEqual([mean(0, 1, 4, 5), mean(2, 3, 6, 7), mean(8, 9, 12, 13), mean(10, 11, 14, 15)].map(Math.fround));
  });

  it('pools overlapping spans like adaptive average pooling (3 -> 2) and preserves a constant image', () => {
    const out = areaResize({ width: 3, height: 1, channels: 1, data: Float32Array.from([0, 30, 60]) }, 2, 1);
    // output 0 pools pixels 0..1 (floor(0) .. ceil(1.5)-1), output 1 pools pixels 1..2
    expect(out.data[0]).toBeCloseTo(15, 5);
    expect(out.data[1]).toBeCloseTo(45, 5);
    const flat = areaResize({ width: 7, height: 5, channels: 1, data: new Float32Array(35).fill(42) }, 3, 2);
    for (const v of flat.data) expect(v).toBeCloseTo(42, 5);
  });

  it('equals torch F.interpolate(mode=area) on non-integer ratios (areaResize.torch.json)', () => {
    const fx = JSON.parse(readFileSync(new URL('../analyses/cxr/__fixtures__/areaResize.torch.json', import.meta.url), 'utf8')) as {
      cases: { inH: number; inW: number; outH: number; outW: number; input: number[]; expected: number[] }[];
    };
    for (const c of fx.cases) {
      const out = areaResize({ width: c.inW, height: c.inH, channels: 1, data: Float32Array.from(c.input) }, c.outW, c.outH);
      out.data.forEach((v, i) => expect(v).toBeCloseTo(c.expected[i], 3));
    }
  });

  it('refuses to upscale', () => {
    expect(() => areaResize({ width: 2, height: 2, channels: 1, data: new Float32Array(4) }, 3, 3)).toThrow();
  });
});
