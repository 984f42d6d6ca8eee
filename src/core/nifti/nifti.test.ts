import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctSeriesDir, loadCtSeries, type LoadedSeries } from '../dicomExport/testing/realCtSeries.ts';
import { NiftiError } from './niftiError.ts';
import { readNifti, type NiftiVolume } from './readNifti.ts';
import { applyAffine, geometryFromSlices, invertAffine, sliceGeometry, sliceSpacingMm, type SliceGeometry, type Vec3 } from './volumeGeometry.ts';
import { writeNiftiMask } from './writeNifti.ts';

let dir: string;
let ct: LoadedSeries;
let dicomSlices: SliceGeometry[];
const buffer = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** dcm2niix (Debian) converts the real series; returns the one .nii(.gz) it wrote. */
function dcm2niix(gzip: boolean): string {
  const out = mkdtempSync(path.join(dir, gzip ? 'gz-' : 'nii-'));
  execFileSync('dcm2niix', ['-z', gzip ? 'y' : 'n', '-b', 'n', '-f', 'series', '-o', out, ctSeriesDir('lung-pet-ct-dx-a0002')], { stdio: 'pipe' });
  const files = readdirSync(out).filter((f) => /\.nii(\.gz)?$/.test(f));
  expect(files).toHaveLength(1);
  return path.join(out, files[0]);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lunglens-nifti-'));
  ct = await loadCtSeries(ctSeriesDir('lung-pet-ct-dx-a0002'));
  dicomSlices = ct.source.images.map((i) => ({
    imagePositionPatient: i.imagePositionPatient!,
    imageOrientationPatient: i.imageOrientationPatient!,
    pixelSpacingMm: i.pixelSpacingMm!,
  }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** DICOM voxel (row r, column c, slice k) → LPS mm, from that slice's own header. */
function dicomPoint(r: number, c: number, k: number): Vec3 {
  const s = dicomSlices[k];
  const o = s.imageOrientationPatient;
  const [rowMm, colMm] = s.pixelSpacingMm;
  return [0, 1, 2].map((a) => s.imagePositionPatient[a] + o[a] * colMm * c + o[a + 3] * rowMm * r) as Vec3;
}

/** For sample voxels of the DICOM series: the NIfTI voxel at the same point (must be on the grid) holds the same HU. */
function expectSameVoxels(vol: NiftiVolume): void {
  const toIndex = invertAffine(vol.voxelToLps);
  const [nx, ny] = vol.dims;
  const rows = ct.source.images[0].rows;
  const cols = ct.source.images[0].columns;
  const samples: [number, number, number][] = [];
  for (const k of [0, 7, 15, 29]) for (const [r, c] of [[0, 0], [0, cols - 1], [rows - 1, 0], [rows - 1, cols - 1], [200, 300], [256, 100], [400, 256]]) samples.push([r, c, k]);
  for (const [r, c, k] of samples) {
    const [i, j, kk] = applyAffine(toIndex, dicomPoint(r, c, k));
    for (const v of [i, j, kk]) expect(Math.abs(v - Math.round(v))).toBeLessThan(1e-2);
    const value = vol.values[Math.round(i) + nx * (Math.round(j) + ny * Math.round(kk))];
    expect(value, `voxel r${r} c${c} k${k}`).toBeCloseTo(ct.hu[k][r * cols + c], 3);
  }
}

describe('readNifti on dcm2niix conversions of the real Lung-PET-CT-Dx series', () => {
  it('.nii: same grid, spacing and HU at the same patient points as the DICOM series', () => {
    const vol = readNifti(buffer(readFileSync(dcm2niix(false))));
    expect([...vol.dims].sort((a, b) => a - b)).toEqual([30, 512, 512]);
    const dicomGeometry = geometryFromSlices(dicomSlices, ct.source.images[0].rows, ct.source.images[0].columns);
    expect(sliceSpacingMm(vol)).toBeCloseTo(sliceSpacingMm(dicomGeometry), 3);
    expect(sliceGeometry(vol, 0).pixelSpacingMm[0]).toBeCloseTo(ct.source.images[0].pixelSpacingMm![0], 4);
    expectSameVoxels(vol);
  });

  it('.nii.gz: the same volume', () => {
    const vol = readNifti(buffer(readFileSync(dcm2niix(true))));
    expectSameVoxels(vol);
  });
});

describe('writeNiftiMask', () => {
  it('writes a mask in the DICOM series\' own geometry that reads back voxel for voxel (sform and qform agree)', () => {
    const rows = ct.source.images[0].rows;
    const cols = ct.source.images[0].columns;
    const geometry = geometryFromSlices(dicomSlices, rows, cols);
    const mask = new Uint8Array(cols * rows * 30);
    ct.hu.forEach((h, k) => h.forEach((v, p) => { mask[k * rows * cols + p] = v < -500 ? 1 : v > 300 ? 2 : 0; }));
    for (const gzip of [false, true]) {
      const bytes = writeNiftiMask(mask, geometry, { gzip });
      const back = readNifti(buffer(bytes));
      expect(back.transform).toBe('sform');
      expect(back.values.length).toBe(mask.length);
      let differing = 0;
      for (let i = 0; i < mask.length; i++) if (back.values[i] !== mask[i]) differing++;
      expect(differing).toBe(0);
      back.voxelToLps.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(geometry.voxelToLps[r][c], 3)));
      // The same file with only its qform must give the same affine.
      const raw = new Uint8Array(gzip ? readNiftiRaw(bytes) : bytes);
      new DataView(raw.buffer).setInt16(254, 0, true);
      const viaQform = readNifti(buffer(raw));
      expect(viaQform.transform).toBe('qform');
      viaQform.voxelToLps.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(geometry.voxelToLps[r][c], 3)));
    }
  });

  it('refuses a mask of the wrong size', () => {
    expect(() => writeNiftiMask(new Uint8Array(5), { dims: [2, 2, 2], voxelToLps: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] })).toThrow(/5 voxels/);
  });
});

function readNiftiRaw(gz: Uint8Array): Uint8Array {
  return gunzipSync(gz);
}

describe('readNifti: bad files get a clear reason', () => {
  const small = () => new Uint8Array(writeNiftiMask(new Uint8Array(8), { dims: [2, 2, 2], voxelToLps: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] }));
  const code = (b: Uint8Array) => {
    try {
      readNifti(buffer(b));
    } catch (e) {
      return e instanceof NiftiError ? `${e.code}: ${e.message}` : String(e);
    }
    return 'no error';
  };
  it('no orientation (qform_code = sform_code = 0)', () => {
    const b = small();
    new DataView(b.buffer).setInt16(252, 0, true);
    new DataView(b.buffer).setInt16(254, 0, true);
    expect(code(b)).toMatch(/^no-orientation: .*qform_code and sform_code are both 0/);
  });
  it('4-D', () => {
    const b = small();
    const v = new DataView(b.buffer);
    v.setInt16(40, 4, true);
    v.setInt16(48, 3, true);
    expect(code(b)).toMatch(/^not-3d: This NIfTI is 4-D \(2 × 2 × 2 × 3\)/);
  });
  it('cut off, and not NIfTI at all', () => {
    expect(code(small().slice(0, 355))).toMatch(/^truncated: The NIfTI is cut off/);
    expect(code(new Uint8Array(400))).toMatch(/^not-nifti/);
  });
});
