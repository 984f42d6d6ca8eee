import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resizeBilinear } from './resizeBilinear.ts';
import { rasterFrom } from './raster.ts';

interface Case {
  inH: number; inW: number; outH: number; outW: number; channels: number;
  input: number[]; expected: number[];
}
const fixture = JSON.parse(
  readFileSync(new URL('./resizeBilinear.torch.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

describe('resizeBilinear', () => {
  it('hand-computed 2x upscale of [0, 10] (half-pixel centres, edge clamp)', () => {
    // out x=0: src=-0.25→0 → 0; x=1: src=0.25 → 2.5; x=2: src=0.75 → 7.5; x=3: src=1.25 → clamp → 10
    const r = resizeBilinear(rasterFrom([0, 10], 2, 1), 4, 1);
    expect(Array.from(r.data)).toEqual([0, 2.5, 7.5, 10]);
  });

  it('hand-computed 2x downscale averages pairs (no antialias)', () => {
    // out x=0: src=0.5 → mean(1,3)=2; x=1: src=2.5 → mean(5,7)=6
    const r = resizeBilinear(rasterFrom([1, 3, 5, 7], 4, 1), 2, 1);
    expect(Array.from(r.data)).toEqual([2, 6]);
  });

  for (const [i, c] of fixture.cases.entries()) {
    it(`equals torch F.interpolate case ${i}: ${c.inH}x${c.inW}x${c.channels} → ${c.outH}x${c.outW}`, () => {
      const r = resizeBilinear(rasterFrom(c.input, c.inW, c.inH, c.channels), c.outW, c.outH);
      expect(r.data.length).toBe(c.expected.length);
      let maxErr = 0;
      for (let k = 0; k < c.expected.length; k++) maxErr = Math.max(maxErr, Math.abs(r.data[k] - c.expected[k]));
      // float32 arithmetic on 0..255 values: a few ulps
      expect(maxErr).toBeLessThan(1e-4);
    });
  }
});
