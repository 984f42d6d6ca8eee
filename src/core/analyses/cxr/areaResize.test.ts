import { describe, expect, it } from 'vitest';
import { areaResize } from './areaResize.ts';

describe('areaResize', () => {
  it('is the 2x2 mean for an exact 2x downscale (the training downsample)', () => {
    const data = Float32Array.from({ length: 16 }, (_, i) => (i * 37) % 255);
    const out = areaResize({ width: 4, height: 4, channels: 1, data }, 2, 2);
    const mean = (a: number, b: number, c: number, d: number) => (data[a] + data[b] + data[c] + data[d]) / 4;
    expect(Array.from(out.data)).toEqual([mean(0, 1, 4, 5), mean(2, 3, 6, 7), mean(8, 9, 12, 13), mean(10, 11, 14, 15)].map(Math.fround));
  });

  it('weights partial pixels by coverage (3 -> 2) and preserves a constant image', () => {
    const out = areaResize({ width: 3, height: 1, channels: 1, data: Float32Array.from([0, 30, 60]) }, 2, 1);
    // output 0 covers pixels [0, 1.5): (0*1 + 30*0.5)/1.5 = 10; output 1 covers [1.5, 3): (30*0.5 + 60)/1.5 = 50
    expect(out.data[0]).toBeCloseTo(10, 5);
    expect(out.data[1]).toBeCloseTo(50, 5);
    const flat = areaResize({ width: 7, height: 5, channels: 1, data: new Float32Array(35).fill(42) }, 3, 2);
    for (const v of flat.data) expect(v).toBeCloseTo(42, 5);
  });

  it('refuses to upscale', () => {
    expect(() => areaResize({ width: 2, height: 2, channels: 1, data: new Float32Array(4) }, 3, 3)).toThrow();
  });
});
