import { describe, expect, it } from 'vitest';
import { zSpacing } from '../series/sliceGeometry.ts';
import { summarizeCtStudy, type StudySliceNumbers } from './ctStudySummary.ts';
import { LesionTracker } from './lesionInstances.ts';
import { LEFT_LUNG, RIGHT_LUNG } from './lungSides.ts';
import { assessSlices } from './sliceAssessment.ts';

describe('zSpacing', () => {
  it('uniform spacing: every slab is the step', () => {
    const z = zSpacing([0, 2.5, 5, 7.5], 4, null);
    expect(z.nominalMm).toBe(2.5);
    expect(z.weightsMm).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(z.gaps).toEqual([]);
    expect(z.uneven).toBe(false);
  });
  it('a missing slice is a gap; the neighbours share it (trapezoid rule)', () => {
    const z = zSpacing([0, 1, 2, 5, 6, 7], 6, null);
    expect(z.nominalMm).toBe(1);
    expect(z.gaps).toEqual([{ afterIndex: 2, stepMm: 3 }]);
    expect(z.weightsMm).toEqual([1, 1, 2, 2, 1, 1]);
    // Σ weights = covered length + one step
    expect(z.weightsMm.reduce((a, b) => a + b)).toBe(8);
  });
  it('varying spacing is flagged and weighted by half distances', () => {
    const z = zSpacing([0, 5, 10, 12, 14], 5, null);
    expect(z.uneven || z.gaps.length > 0).toBe(true);
    expect(z.weightsMm[2]).toBe(3.5);
  });
  it('without positions, the stated spacing; without that, nothing', () => {
    expect(zSpacing(null, 3, 8).weightsMm).toEqual([8, 8, 8]);
    expect(zSpacing(null, 3, null)).toMatchObject({ nominalMm: null, weightsMm: [] });
  });
});

describe('assessSlices', () => {
  it('apex and base by area share of the widest slice, no lung outside the chest', () => {
    // index 0 = feet, superior at high index
    const a = assessSlices([0, 3000, 9000, 20000, 16000, 4000, 0], true);
    expect(a.map((s) => (s.assessed ? 'A' : s.reason))).toEqual(['no-lung', 'base', 'base', 'A', 'A', 'apex', 'no-lung']);
  });
});

const slice = (index: number, o: Partial<StudySliceNumbers>): StudySliceNumbers => ({
  index, assessed: true, lungAreaPx: 1000, leftLungAreaPx: 500, rightLungAreaPx: 500, lesionAreaPx: 0, regressionPercent: 0, ...o,
});

describe('summarizeCtStudy', () => {
  it('weights slices by lung volume, leaves not-assessed slices out of the model numbers', () => {
    const s = summarizeCtStudy({
      slices: [
        slice(0, { assessed: false, lungAreaPx: 100, leftLungAreaPx: 100, rightLungAreaPx: 0, regressionPercent: null }),
        slice(1, { regressionPercent: 10, lesionAreaPx: 100 }),
        slice(2, { lungAreaPx: 3000, leftLungAreaPx: 1000, rightLungAreaPx: 2000, regressionPercent: 2 }),
      ],
      pixelAreaMm2: 0.5,
      weightsMm: new Map([[0, 2], [1, 2], [2, 4]]),
      sliceSpacingMm: 2,
      lesions: [],
    });
    expect(s.slicesAnalysed).toBe(2);
    // lung: (100*2 + 1000*2 + 3000*4) px·mm * 0.5 mm² / 1000
    expect(s.lungVolumeMl).toBe(7.1);
    expect(s.leftLungVolumeMl).toBe(2.6);
    expect(s.rightLungVolumeMl).toBe(4.5);
    expect(s.lesionVolumeMl).toBe(0.1);
    // infection of the assessed lung: 100*2 / (1000*2 + 3000*4)
    expect(s.infectionPercentOfLung).toBe(1.43);
    // (10*2000 + 2*12000) / 14000
    expect(s.regressionPercentMean).toBe(3.14);
    expect(s.regressionPercentMax).toBe(10);
    expect(s.severity?.label).toBe('minimal');
    expect(Object.keys(s)).toEqual(['slicesAnalysed', 'sliceSpacingMm', 'lungVolumeMl', 'leftLungVolumeMl', 'rightLungVolumeMl',
      'lesionVolumeMl', 'infectionPercentOfLung', 'regressionPercentMean', 'regressionPercentMax', 'severity', 'lesions']);
  });
  it('no geometry: ratios still, volumes null', () => {
    const s = summarizeCtStudy({ slices: [slice(0, { lesionAreaPx: 10 })], pixelAreaMm2: null, weightsMm: null, sliceSpacingMm: null, lesions: [] });
    expect(s.lungVolumeMl).toBeNull();
    expect(s.infectionPercentOfLung).toBe(1);
  });
});

describe('LesionTracker', () => {
  const W = 20, H = 10;
  const mask = (pixels: [number, number][]): Uint8Array => {
    const m = new Uint8Array(W * H);
    for (const [x, y] of pixels) m[y * W + x] = 1;
    return m;
  };
  const sides = new Uint8Array(W * H).map((_, i) => (i % W >= 10 ? LEFT_LUNG : RIGHT_LUNG));
  it('joins overlapping components across slices, keeps apart the others; volume, shares, side, largest slice', () => {
    const t = new LesionTracker(W, H);
    const a1 = mask([[2, 2], [3, 2]]);
    const a2 = mask([[3, 2], [4, 2], [5, 2]]);
    const b2 = mask([[15, 5]]);
    const both2 = a2.map((v, i) => v | b2[i]);
    t.add(4, a1, new Uint8Array(W * H), (i) => sides[i]);
    t.add(5, both2, mask([[15, 5], [4, 2]]), (i) => sides[i]);
    t.add(7, new Uint8Array(W * H), new Uint8Array(W * H), (i) => sides[i]);
    const got = t.instances(1, new Map([[4, 2], [5, 2], [7, 2]]));
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({ id: 1, firstSlice: 4, lastSlice: 5, largestSlice: 5, largestAreaMm2: 3, side: 'right' });
    expect(got[0].volumeMl).toBeCloseTo(((2 + 3) * 2) / 1000, 9);
    expect(got[0].consolidationShare).toBeCloseTo(0.2, 9);
    expect(got[1]).toMatchObject({ id: 2, firstSlice: 5, lastSlice: 5, side: 'left', consolidationShare: 1, ggoShare: 0 });
  });
  it('refuses slices out of order', () => {
    const t = new LesionTracker(W, H);
    t.add(3, new Uint8Array(W * H), new Uint8Array(W * H), (i) => sides[i]);
    expect(() => t.add(2, new Uint8Array(W * H), new Uint8Array(W * H), (i) => sides[i])).toThrow(/after/);
  });
});
