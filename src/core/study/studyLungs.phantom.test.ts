/**
 * The whole-series lung segmentation on a synthetic chest whose answer is known: two ellipsoid lungs
 * (-850 HU) in a soft-tissue body, a trachea (air) between them joined to the right lung by a bronchus,
 * and a gas bubble below the left lung. Checked across slice spacings (1-8 mm), a gap in z, uneven
 * spacing and a mirrored image (patient left on the image's left).
 */
import { describe, expect, it } from 'vitest';
import type { MedicalImage } from '../image/medicalImage.ts';
import type { SliceHeader } from '../series/series.ts';
import type { AnalysisContext } from '../analyses/analysisModule.ts';
import { ctAnalysis } from '../analyses/ct/index.ts';
import { isAssessed } from '../analyses/ct/ctRecord.ts';
import type { ModelSession } from '../runtime/session.ts';
import { readStudyLungs } from './readStudyLungs.ts';
import { sliceLungRegion, studySliceContext } from './sliceLungRegion.ts';

const N = 128, PX = 2.5; // 320 mm field of view
// semi-axes (mm; the right lung wider, so a swap of sides shows), centre offset from the midline, centre height
const LUNG = { aRight: 55, aLeft: 45, b: 70, c: 100, x: 65, z: 150 };
const ml = (a: number) => (4 / 3) * Math.PI * a * LUNG.b * LUNG.c / 1000;

/** HU at patient position (x to the patient's left, y, z up), mm; body centred at 0. */
function hu(x: number, y: number, z: number): number {
  if ((x / 150) ** 2 + (y / 110) ** 2 > 1) return -1000; // outside the body
  for (const side of [-1, 1]) {
    if (((x - side * LUNG.x) / (side > 0 ? LUNG.aLeft : LUNG.aRight)) ** 2 + (y / LUNG.b) ** 2 + ((z - LUNG.z) / LUNG.c) ** 2 <= 1) return -850;
  }
  if (x ** 2 + (y + 30) ** 2 <= 81 && z >= 200) return -1000; // trachea, 18 mm across, from the top down to z = 200
  if (z >= 200 && z <= 206 && Math.abs(y + 30) <= 6 && x <= 0 && x >= -LUNG.x) return -1000; // bronchus to the right lung
  if ((x - 40) ** 2 + y ** 2 + (z - 30) ** 2 <= 25 ** 2) return -1000; // stomach gas below the left lung
  return 40;
}

function phantom(zs: number[], mirrored: boolean) {
  const rowDir = mirrored ? -1 : 1;
  const headers: SliceHeader[] = zs.map((z) => ({
    kind: 'dicom', modality: 'CT', rows: N, columns: N, numberOfFrames: 1, photometric: 'MONOCHROME2', bitsAllocated: 16,
    bitsStored: 16, pixelRepresentation: 1, samplesPerPixel: 1, pixelSpacingMm: [PX, PX],
    imageOrientationPatient: [rowDir, 0, 0, 0, 1, 0], imagePositionPatient: [-rowDir * (N / 2) * PX, -(N / 2) * PX, z],
  }));
  const load = async (k: number): Promise<MedicalImage> => {
    const pixels = new Int16Array(N * N);
    for (let r = 0; r < N; r++) {
      for (let c = 0; c < N; c++) pixels[r * N + c] = hu(rowDir * (c + 0.5 - N / 2) * PX, (r + 0.5 - N / 2) * PX, zs[k]);
    }
    return { kind: 'dicom', pixels, columns: N, rows: N, pixelSpacingMm: [PX, PX] } as unknown as MedicalImage;
  };
  return { headers, load };
}

async function measure(zs: number[], mirrored = false) {
  // series order is along the slice normal (groupSeries): a mirrored image's normal points to the feet
  const { headers, load } = phantom(mirrored ? [...zs].reverse() : zs, mirrored);
  const lungs = await readStudyLungs(headers, { load });
  let left = 0, right = 0;
  for (let k = 0; k < zs.length; k++) {
    const r = sliceLungRegion(studySliceContext(lungs, k), (await load(k)).pixels);
    left += (r.leftAreaPx * PX * PX * lungs.geometry.z.weightsMm[k]) / 1000;
    right += (r.rightAreaPx * PX * PX * lungs.geometry.z.weightsMm[k]) / 1000;
  }
  return { lungs, left, right };
}

const range = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

describe('whole-series lungs on a synthetic chest', () => {
  const cases: [string, number[], boolean][] = [
    ['1.25 mm', range(0, 300, 1.25), false],
    ['8 mm', range(2, 298, 8), false],
    ['5 mm with 4 slices missing', range(0, 300, 5).filter((z) => z < 100 || z > 120), false],
    ['uneven 2-6 mm steps', range(0, 300, 4).map((z, i) => z + (i % 2 ? 1.5 : 0)), false],
    ['mirrored image, 3 mm', range(0, 300, 3), true],
  ];
  for (const [name, zs, mirrored] of cases) {
    it(`${name}: both lungs' volumes, trachea and bowel gas left out, sides right`, async () => {
      const { lungs, left, right } = await measure(zs, mirrored);
      expect(lungs.problem).toBeNull();
      // each lung within 3 % of its ellipsoid (sampling at 8 mm and the 2.5 mm pixels cost a little)
      expect(Math.abs(left - ml(LUNG.aLeft)) / ml(LUNG.aLeft)).toBeLessThan(0.03);
      expect(Math.abs(right - ml(LUNG.aRight)) / ml(LUNG.aRight)).toBeLessThan(0.03);
      expect(lungs.excluded.airwayMl!).toBeGreaterThan(1);
      // the 65 mL gas bubble is not lung: it was left out as gas
      expect(lungs.excluded.gasMl!).toBeGreaterThan(40);
    }, 60_000);
  }

  it('a CT without lungs (no air inside the body) is named, not analysed', async () => {
    const zs = range(0, 40, 5);
    const headers = phantom(zs, false).headers;
    const load = async (): Promise<MedicalImage> => {
      const pixels = new Int16Array(N * N).map((_, i) => (((i % N) - N / 2) ** 2 + (Math.floor(i / N) - N / 2) ** 2 < 40 ** 2 ? 40 : -1000));
      return { pixels, columns: N, rows: N } as unknown as MedicalImage;
    };
    const lungs = await readStudyLungs(headers, { load });
    expect(lungs.problem).toMatch(/not a chest CT/);
    expect(lungs.assessment.every((a) => !a.assessed)).toBe(true);
  });

  it('a slice not assessed is gated in its record: a reason, its lung, no model numbers, models not run', async () => {
    const zs = range(2, 298, 8);
    const { headers, load } = phantom(zs, false);
    const lungs = await readStudyLungs(headers, { load });
    const runs: string[] = [];
    // sessions that only record being run (and then fail): the gated slice must not run them
    const ctx: AnalysisContext = {
      getSession: async (id) => ({ entry: { id, version: 't' }, run: async () => { runs.push(id); throw new Error('model run'); } }) as unknown as ModelSession,
    };
    const k = lungs.assessment.findIndex((a, i) => !a.assessed && a.reason === 'apex' && i > 0);
    expect(k).toBeGreaterThan(0);
    const { record, masks } = await ctAnalysis.analyze(await load(k), ctx, studySliceContext(lungs, k));
    expect(runs).toEqual([]);
    if (isAssessed(record)) throw new Error('slice assessed');
    expect(record.reason).toMatch(/not assessed: too little lung to judge \(apex\)/);
    expect(record.lungAreaPx).toBeGreaterThan(0);
    expect(record.lungAreaMm2).toBeCloseTo(record.lungAreaPx * PX * PX, 0);
    expect(record.leftLungAreaPx! + record.rightLungAreaPx!).toBe(record.lungAreaPx);
    expect(Object.keys(record)).not.toContain('infectionPercent');
    expect(Object.keys(record)).not.toContain('lesionAreaPx');
    expect(Object.keys(masks)).toEqual(['lung']);
    expect(ctAnalysis.describe(record)).toMatch(/not assessed/);
    // an assessed slice goes on to the models (these stub entries have no input facts, so it stops there)
    const a = lungs.assessment.findIndex((x) => x.assessed);
    await expect(ctAnalysis.analyze(await load(a), ctx, studySliceContext(lungs, a))).rejects.toThrow(/ct-infection-regression/);
  });
});
