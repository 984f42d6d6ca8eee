import { describe, expect, it } from 'vitest';
import { borderConnected, close, dilate, erode, fillHoles } from './binaryMorphology.ts';

/** Parses rows of '#'/'.' into a 0/1 mask. */
function grid(rows: string[]): { m: Uint8Array; w: number; h: number } {
  const w = rows[0].length, h = rows.length;
  const m = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((c, x) => (m[y * w + x] = c === '#' ? 1 : 0)));
  return { m, w, h };
}
const show = (m: Uint8Array, w: number): string[] =>
  Array.from({ length: m.length / w }, (_, y) => [...m.subarray(y * w, (y + 1) * w)].map((v) => (v ? '#' : '.')).join(''));

describe('binaryMorphology', () => {
  it('borderConnected keeps only foreground reachable from the edge (4-connectivity)', () => {
    const { m, w, h } = grid(['##...', '.#...', '...#.', '..#..', '.....']);
    expect(show(borderConnected(m, w, h), w)).toEqual(['##...', '.#...', '.....', '.....', '.....']);
  });

  it('fillHoles fills enclosed background only', () => {
    const { m, w, h } = grid(['.....', '.###.', '.#.#.', '.###.', '#....']);
    expect(show(fillHoles(m, w, h), w)).toEqual(['.....', '.###.', '.###.', '.###.', '#....']);
  });

  it('dilate / erode with a 3x3 square', () => {
    const { m, w, h } = grid(['.....', '.....', '..#..', '.....', '.....']);
    const d = dilate(m, w, h, 1);
    expect(show(d, w)).toEqual(['.....', '.###.', '.###.', '.###.', '.....']);
    expect(show(erode(d, w, h, 1), w)).toEqual(show(m, w));
  });

  it('close bridges a 1-pixel gap and keeps objects touching the border', () => {
    const { m, w, h } = grid(['##.##', '##.##', '.....', '.....']);
    expect(show(close(m, w, h, 1), w)).toEqual(['#####', '#####', '.....', '.....']);
  });
});
