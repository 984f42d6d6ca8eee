import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeDicomFile } from '../../dicom/decodeDicom.ts';
import { findLungsGray8, findLungsHu, huToGray8 } from './lungCrop.ts';

const DATA = path.resolve(__dirname, '../../../../../shared/data/dicom-samples');
const load = async (rel: string) => (await decodeDicomFile(new Uint8Array(readFileSync(path.join(DATA, rel))), rel))[0];

describe('findLungsHu on real chest CT DICOM', () => {
  const sbu = ['A002304_axial_19001231-076.dcm', 'A002304_axial_19010112-135.dcm', 'A056642_axial_19001229-053.dcm', 'A056642_axial_19010107-111.dcm'];
  for (const f of sbu) {
    it(`finds both lungs in ${f}`, async () => {
      const im = await load(`covid19-ny-sbu-ct/${f}`);
      const r = findLungsHu(im.pixels, im.columns, im.rows, im.pixelSpacingMm);
      expect(r.found).toBe(true);
      const areaMm2 = r.areaPx * im.pixelSpacingMm![0] * im.pixelSpacingMm![1];
      // two adult lungs on a mid-chest slice: roughly 80-400 cm²
      expect(areaMm2).toBeGreaterThan(8000);
      expect(areaMm2).toBeLessThan(40000);
      // box spans both sides of the midline and stays inside the body (not the full field of view)
      expect(r.box.x).toBeLessThan(im.columns / 2 - 60);
      expect(r.box.x + r.box.w).toBeGreaterThan(im.columns / 2 + 60);
      expect(r.box.w * r.box.h).toBeLessThan(0.7 * im.rows * im.columns);
      // the mask is lung (COVID slices with GGO, so not all of it is aerated): mean HU far below soft tissue
      let sum = 0;
      for (let i = 0; i < r.mask.length; i++) if (r.mask[i]) sum += im.pixels[i];
      expect(sum / r.areaPx).toBeLessThan(-450);
    });
  }

  it('reports no lung on the GE CTImage slice (above the apices) and falls back to the whole image', async () => {
    const im = await load('ct-chest-transfer-syntaxes/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm');
    const r = findLungsHu(im.pixels, im.columns, im.rows, im.pixelSpacingMm);
    expect(r.found).toBe(false);
    expect(r.box).toEqual({ x: 0, y: 0, w: im.columns, h: im.rows });
  });

  it('finds nothing in a uniform soft-tissue image, and lungs in a synthetic body with two air holes', () => {
    const w = 64, h = 64;
    const hu = new Float32Array(w * h).fill(-1000); // outside air
    for (let y = 8; y < 56; y++) for (let x = 4; x < 60; x++) hu[y * w + x] = 40; // body
    expect(findLungsHu(hu, w, h).found).toBe(false);
    for (let y = 16; y < 48; y++) {
      for (let x = 10; x < 28; x++) hu[y * w + x] = -850;
      for (let x = 36; x < 54; x++) hu[y * w + x] = -850;
    }
    hu[30 * w + 20] = 50; // a vessel: a hole to fill
    const r = findLungsHu(hu, w, h, [1, 1], { closingMm: 1, marginFraction: 0 });
    expect(r.found).toBe(true);
    expect(r.areaPx).toBe(2 * 32 * 18);
    expect(r.box).toEqual({ x: 10, y: 16, w: 44, h: 32 });
  });
});

describe('findLungsGray8', () => {
  it('uses the whole image as the box and dark pixels as lung', () => {
    const w = 40, h = 40;
    const g = new Uint8Array(w * h).fill(230);
    for (let y = 5; y < 35; y++) for (let x = 0; x < 15; x++) g[y * w + x] = 80;
    const r = findLungsGray8(g, w, h, 160);
    expect(r.box).toEqual({ x: 0, y: 0, w, h });
    expect(r.areaPx).toBe(30 * 15);
  });

  it('huToGray8 matches the window formula', () => {
    expect(huToGray8(-1000, -1000, 0)).toBe(0);
    expect(huToGray8(0, -1000, 0)).toBe(255);
    expect(huToGray8(-320, -1000, 0)).toBe(Math.round((680 / 1000) * 255));
  });
});
