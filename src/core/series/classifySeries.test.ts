import { describe, expect, it } from 'vitest';
import { classifyCtSeries } from './classifySeries.ts';
import type { Series, SliceHeader, SliceRef } from './series.ts';

const AXIAL: SliceHeader['imageOrientationPatient'] = [1, 0, 0, 0, 1, 0];
const CORONAL: SliceHeader['imageOrientationPatient'] = [1, 0, 0, 0, 0, -1];

function stack(key: string, zs: number[], o: Partial<SliceHeader> = {}, thickness?: (i: number) => number): Series {
  const slices: SliceRef[] = zs.map((z, i) => ({
    input: { name: `${key}-${i}.dcm`, size: 1, read: async () => new ArrayBuffer(0) },
    inputIndex: i,
    frameIndex: 0,
    header: {
      kind: 'dicom', modality: 'CT', rows: 64, columns: 64, numberOfFrames: 1, photometric: 'MONOCHROME2',
      bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1, samplesPerPixel: 1, studyInstanceUID: '1.2',
      seriesInstanceUID: key, seriesNumber: Number(key.replace(/\D/g, '')) || 1, imageOrientationPatient: AXIAL,
      imagePositionPatient: [0, 0, z], pixelSpacingMm: [0.7, 0.7], sliceThicknessMm: thickness ? thickness(i) : 2.5, ...o,
    },
  }));
  return { key, studyInstanceUID: '1.2', seriesInstanceUID: key, modality: 'CT', description: key, kind: 'dicom', slices };
}

const range = (n: number, step: number, from = 0) => Array.from({ length: n }, (_, i) => from + i * step);

describe('classifyCtSeries', () => {
  it('names localizer, single slice, coronal MPR and a second reconstruction; analyses the axial stack', () => {
    const main = stack('s2', range(40, 2.5));
    const recon = stack('s3', range(20, 5), { sliceThicknessMm: 5 });
    const got = classifyCtSeries([
      stack('s1', [0], { imageOrientationPatient: CORONAL }),
      main,
      recon,
      stack('s4', range(30, 1), { imageOrientationPatient: CORONAL }),
      stack('s5', [10]),
      { ...stack('s6', range(3, 1)), modality: 'SR' },
    ]);
    expect(got.get('s1')).toMatchObject({ analyse: false, kind: 'localizer' });
    expect(got.get('s2')).toMatchObject({ analyse: true, warnings: [] });
    expect(got.get('s3')).toMatchObject({ analyse: false, kind: 'second-reconstruction' });
    expect((got.get('s3') as { reason: string }).reason).toMatch(/series 2/);
    expect(got.get('s4')).toMatchObject({ analyse: false, kind: 'non-axial' });
    expect((got.get('s4') as { reason: string }).reason).toMatch(/coronal/);
    expect(got.get('s5')).toMatchObject({ analyse: false, kind: 'single-slice' });
    expect(got.has('s6')).toBe(false);
  });

  it('series of other anatomy in the same study are both analysed', () => {
    const got = classifyCtSeries([stack('s1', range(40, 2.5)), stack('s2', range(40, 2.5, 500))]);
    expect([...got.values()].every((v) => v.analyse)).toBe(true);
  });

  it('duplicates dropped, gaps and mixed thickness reported', () => {
    const zs = [...range(10, 2), 18, ...range(10, 2, 30)];
    const s = stack('s1', zs, {}, (i) => (i === 3 ? 5 : 2.5));
    const v = classifyCtSeries([s]).get('s1')!;
    expect(v.analyse).toBe(true);
    if (!v.analyse) return;
    expect(v.slices).toHaveLength(19);
    expect(v.warnings.join('\n')).toMatch(/mixed slice thickness: analysed the 20 slices of 2.50 mm, left out 1 of 5.00 mm/);
    expect(v.warnings.join('\n')).toMatch(/1 duplicate slice/);
    expect(v.warnings.join('\n')).toMatch(/gaps in z: about 6 slice\(s\) missing/);
  });
});
