/**
 * The whole-series lung segmentation on the shared real CT series, checked against an independent
 * measure: testing/lung_volume_reference.py (pydicom + numpy, its own decoder, 3-D components of air runs,
 * holes filled) at the same -320 HU threshold and, as a bound, at -400 HU. The reference keeps the trachea
 * and main bronchi, so it may be a little larger; our mask closes ~5 mm, so it may be a little larger too.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingest } from '../ingest/ingest.ts';
import { inputsFromPaths } from '../ingest/nodeInputs.ts';
import { decodeSlice } from '../series/decodeSlice.ts';
import { readStudyLungs } from './readStudyLungs.ts';
import { sliceLungRegion, studySliceContext } from './sliceLungRegion.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const seriesRoot = path.resolve(here, '../../../../shared/data/ct-series');
const reference = path.join(here, 'testing/lung_volume_reference.py');

function pythonReference(dir: string, thresholdHu: number): { airOnlyMl: number; filledMl: number } | null {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import pydicom, numpy'], { stdio: 'ignore' });
  } catch {
    return null; // .ci/run installs python3-pydicom; without it the volumes below are still checked for sanity
  }
  return JSON.parse(execFileSync('/usr/bin/python3', [reference, dir, String(thresholdHu)], { encoding: 'utf8' }));
}

async function segment(dir: string) {
  const { series } = await ingest(await inputsFromPaths([dir]));
  expect(series).toHaveLength(1);
  const slices = series[0].slices;
  const load = (k: number) => decodeSlice(slices[k]);
  const lungs = await readStudyLungs(slices.map((s) => s.header), { load });
  let ml = 0, leftMl = 0;
  const regions = [];
  for (let k = 0; k < slices.length; k++) {
    const image = await load(k);
    const context = studySliceContext(lungs, k);
    if (k === 0) expect(() => structuredClone(context)).not.toThrow(); // it travels to the inference worker
    const r = sliceLungRegion(context, image.pixels);
    const px = image.pixelSpacingMm![0] * image.pixelSpacingMm![1];
    ml += (r.areaPx * px * lungs.geometry.z.weightsMm[k]) / 1000;
    leftMl += (r.leftAreaPx * px * lungs.geometry.z.weightsMm[k]) / 1000;
    regions.push({ assessed: r.assessed, reason: r.reason, areaPx: r.areaPx, box: r.box });
  }
  return { lungs, ml, leftMl, regions };
}

const cases = [
  { name: 'lung-pet-ct-dx-a0002', slices: 30, spacing: 8 },
  { name: 'lidc-idri-0001', slices: 133, spacing: 2.5 },
];

for (const c of cases) {
  const dir = path.join(seriesRoot, c.name);
  describe.skipIf(!existsSync(dir))(`whole-series lungs: ${c.name}`, () => {
    it('lung volume agrees with an independent 3-D measure; airway left out; both lungs; apex/base not assessed', async () => {
      const { lungs, ml, leftMl, regions } = await segment(dir);
      expect(lungs.problem).toBeNull();
      expect(lungs.geometry.z.nominalMm).toBeCloseTo(c.spacing, 3);
      expect(regions).toHaveLength(c.slices);
      // adult lungs at breath-hold: litres, not millilitres or tens of litres
      expect(ml).toBeGreaterThan(2000);
      expect(ml).toBeLessThan(8000);
      // the full-resolution volume and the coarse 3-D one (cells wholly air: a bit less) describe the same lungs
      expect(lungs.lungVolumeMl!).toBeLessThan(ml);
      expect(lungs.lungVolumeMl!).toBeGreaterThan(0.8 * ml);
      // two lungs, each a sizeable share
      expect(leftMl / ml).toBeGreaterThan(0.3);
      expect(leftMl / ml).toBeLessThan(0.7);
      // the trachea was found and left out (it is tens of mL at most)
      expect(lungs.excluded.airwayMl!).toBeGreaterThan(1);
      expect(lungs.excluded.airwayMl!).toBeLessThan(100);
      // every assessed slice has a real section of lung; the ends of the lungs are not assessed
      const assessed = regions.filter((r) => r.assessed);
      expect(assessed.length).toBeGreaterThan(c.slices / 3);
      const widest = Math.max(...regions.map((r) => r.areaPx));
      for (const r of assessed) expect(r.areaPx).toBeGreaterThanOrEqual(0.25 * widest);
      const reasons = new Set(regions.filter((r) => !r.assessed).map((r) => r.reason));
      expect(reasons.has('apex') && reasons.has('base')).toBe(true);
      const ref = pythonReference(dir, -320);
      if (ref) {
        expect(Math.abs(ml - ref.filledMl) / ref.filledMl).toBeLessThan(0.03);
        expect(ml).toBeGreaterThan(pythonReference(dir, -400)!.airOnlyMl);
      }
    }, 180_000);
  });
}
