import { describe, expect, it } from 'vitest';
import { gateLesionByHu, MIN_LESION_HU, MIN_LESION_PIECE_MM2 } from './lesionHuGate.ts';

// A 40x40 slice of aerated lung (-850 HU, with +-40 HU noise) holding a 12x12 ground-glass patch (-550 HU).
const W = 40, H = 40;
function slice(): { hu: Float32Array; lesion: Uint8Array } {
  const hu = new Float32Array(W * H);
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 80;
  for (let i = 0; i < hu.length; i++) hu[i] = -850 + noise();
  for (let y = 5; y < 17; y++) for (let x = 5; x < 17; x++) hu[y * W + x] = -550 + noise();
  return { hu, lesion: new Uint8Array(W * H) };
}
const mark = (m: Uint8Array, x0: number, y0: number, x1: number, y1: number) => {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * W + x] = 1;
};
const area = (m: Uint8Array) => m.reduce((a, v) => a + v, 0);

describe('gateLesionByHu', () => {
  it('keeps a ground-glass patch, drops a "lesion" in aerated lung', () => {
    const { hu, lesion } = slice();
    mark(lesion, 5, 5, 17, 17); // on the GGO patch
    mark(lesion, 25, 25, 35, 35); // on normal lung
    const cleared = gateLesionByHu(lesion, hu, W, H, 0.5);
    expect(cleared).toBe(100);
    expect(area(lesion)).toBe(144);
    expect(lesion[10 * W + 10]).toBe(1);
    expect(lesion[30 * W + 30]).toBe(0);
  });

  it('trims the part of a lesion mask that spills into aerated lung', () => {
    const { hu, lesion } = slice();
    mark(lesion, 5, 5, 22, 17); // the patch plus 5 columns of normal lung beside it
    gateLesionByHu(lesion, hu, W, H, 0.5);
    // the patch stays whole; the column beside it averages GGO and lung (~ -750 HU, either way); the rest goes
    for (let y = 5; y < 17; y++) for (let x = 5; x < 17; x++) expect(lesion[y * W + x]).toBe(1);
    expect(area(lesion)).toBeLessThanOrEqual(144 + 12);
    for (let y = 5; y < 17; y++) for (let x = 18; x < 22; x++) expect(lesion[y * W + x]).toBe(0);
  });

  it('drops pieces smaller than the size limit, only when the pixel area is known', () => {
    const make = () => {
      const { hu, lesion } = slice();
      for (let y = 30; y < 33; y++) for (let x = 30; x < 33; x++) hu[y * W + x] = 0; // a 3x3 px dense speck
      mark(lesion, 30, 30, 33, 33);
      return { hu, lesion };
    };
    const a = make();
    // 9 px x 1 mm² = 9 mm² < 10 mm²: dropped
    expect(9 * 1).toBeLessThan(MIN_LESION_PIECE_MM2);
    gateLesionByHu(a.lesion, a.hu, W, H, 1);
    expect(area(a.lesion)).toBe(0);
    const b = make();
    gateLesionByHu(b.lesion, b.hu, W, H, null);
    expect(area(b.lesion)).toBe(9);
  });

  it('gates at -750 HU on the 3x3 mean', () => {
    expect(MIN_LESION_HU).toBe(-750);
    const hu = new Float32Array(W * H).fill(-751);
    const lesion = new Uint8Array(W * H).fill(1);
    gateLesionByHu(lesion, hu, W, H, null);
    expect(area(lesion)).toBe(0);
    const hu2 = new Float32Array(W * H).fill(-749);
    const lesion2 = new Uint8Array(W * H).fill(1);
    gateLesionByHu(lesion2, hu2, W, H, null);
    expect(area(lesion2)).toBe(W * H);
  });
});
