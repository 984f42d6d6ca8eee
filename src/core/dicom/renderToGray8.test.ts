import { describe, expect, it } from 'vitest';
import type { MedicalImage } from '../image/medicalImage.ts';
import { renderToGray8 } from './renderToGray8.ts';
import { windowValue } from './voiLut.ts';

function image(values: number[], extra: Partial<MedicalImage> = {}): MedicalImage {
  return {
    source: 't', kind: 'dicom', modality: 'CT', rows: 1, columns: values.length, frameIndex: 0, numberOfFrames: 1,
    samplesPerPixel: 1, pixels: Float32Array.from(values), minValue: Math.min(...values), maxValue: Math.max(...values),
    photometric: 'MONOCHROME2', invert: false, windows: [], voiLutFunction: 'LINEAR', bitsAllocated: 16, bitsStored: 16,
    pixelRepresentation: 1, ...extra,
  };
}

describe('VOI per PS3.3 C.11.2.1.2', () => {
  it('LINEAR: hand-computed values for c=40, w=400', () => {
    // Bounds: x <= c-0.5-(w-1)/2 = -160 → 0; x > c-0.5+(w-1)/2 = 239 → 255;
    // else ((x-39.5)/399 + 0.5)*255.
    expect(windowValue(-160, { center: 40, width: 400 }, 'LINEAR', 0, 255)).toBe(0);
    expect(windowValue(-159, { center: 40, width: 400 }, 'LINEAR', 0, 255)).toBeCloseTo(((-159 - 39.5) / 399 + 0.5) * 255, 10);
    expect(windowValue(39.5, { center: 40, width: 400 }, 'LINEAR', 0, 255)).toBeCloseTo(127.5, 10);
    expect(windowValue(239, { center: 40, width: 400 }, 'LINEAR', 0, 255)).toBeCloseTo(255, 10);
    expect(windowValue(240, { center: 40, width: 400 }, 'LINEAR', 0, 255)).toBe(255);
  });

  it('LINEAR_EXACT and SIGMOID', () => {
    expect(windowValue(-160, { center: 40, width: 400 }, 'LINEAR_EXACT', 0, 255)).toBe(0);
    expect(windowValue(40, { center: 40, width: 400 }, 'LINEAR_EXACT', 0, 255)).toBeCloseTo(127.5, 10);
    expect(windowValue(140, { center: 40, width: 400 }, 'LINEAR_EXACT', 0, 255)).toBeCloseTo(191.25, 10);
    expect(windowValue(40, { center: 40, width: 400 }, 'SIGMOID', 0, 255)).toBeCloseTo(127.5, 10);
    expect(windowValue(140, { center: 40, width: 400 }, 'SIGMOID', 0, 255)).toBeCloseTo(255 / (1 + Math.exp(-1)), 10);
  });

  it('renderToGray8 uses the first file window by default, an explicit window when given, and inverts MONOCHROME1', () => {
    const img = image([-1000, -600, 40, 1000], { windows: [{ center: 40, width: 400 }, { center: -600, width: 1500 }] });
    expect(Array.from(renderToGray8(img))).toEqual([0, 0, 128, 255]);
    expect(Array.from(renderToGray8(img, { window: { center: -600, width: 1500 } }))).toEqual([
      Math.round(((-1000 + 600.5) / 1499 + 0.5) * 255), Math.round(((-600 + 600.5) / 1499 + 0.5) * 255), Math.round(((40 + 600.5) / 1499 + 0.5) * 255), 255,
    ]);
    const mono1 = { ...img, invert: true, photometric: 'MONOCHROME1' };
    expect(Array.from(renderToGray8(mono1))).toEqual([255, 255, 127, 0]);
    expect(Array.from(renderToGray8(mono1, { invert: false }))).toEqual([0, 0, 128, 255]);
  });

  it('VOI LUT table: clamps outside the table and scales its bit depth to 0..255', () => {
    const img = image([0, 1, 2, 3, 10], { voiLut: { firstMapped: 1, bitsPerEntry: 8, data: new Uint16Array([0, 100, 255]) } });
    expect(Array.from(renderToGray8(img))).toEqual([0, 0, 100, 255, 255]);
  });

  it('falls back to the full range without a window', () => {
    expect(Array.from(renderToGray8(image([0, 255])))).toEqual([0, 255]);
  });
});
