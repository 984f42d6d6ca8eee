import { describe, expect, it } from 'vitest';
import type { SliceHeader } from '../series/series.ts';
import { sliceSpacingMm } from './sliceSpacing.ts';

const header = (z: number | undefined, extra: Partial<SliceHeader> = {}): SliceHeader => ({
  kind: 'dicom', modality: 'CT', rows: 4, columns: 4, numberOfFrames: 1, photometric: 'MONOCHROME2',
  bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1, samplesPerPixel: 1,
  imageOrientationPatient: [1, 0, 0, 0, 1, 0],
  imagePositionPatient: z === undefined ? undefined : [0, 0, z],
  ...extra,
});

describe('sliceSpacingMm', () => {
  it('uses the median step along the normal, ignoring one missing slice', () => {
    expect(sliceSpacingMm([0, 2.5, 5, 10, 12.5].map((z) => header(z)))).toBeCloseTo(2.5);
  });
  it('falls back to spacing between slices, then thickness', () => {
    expect(sliceSpacingMm([header(undefined, { spacingBetweenSlicesMm: 3 }), header(undefined)])).toBe(3);
    expect(sliceSpacingMm([header(undefined, { sliceThicknessMm: 5 }), header(undefined)])).toBe(5);
  });
  it('is null for a single image', () => {
    expect(sliceSpacingMm([header(0, { sliceThicknessMm: 1 })])).toBeNull();
  });
});
