import { PLAIN_GRAY, type MedicalImage, type PixelArray } from '../image/medicalImage.ts';
import type { SliceHeader } from '../series/series.ts';
import { DicomError } from '../dicom/dicomError.ts';
import { NiftiError } from './niftiError.ts';
import { readNifti, type NiftiVolume } from './readNifti.ts';
import { sliceGeometry, sliceSpacingMm, type VolumeGeometry } from './volumeGeometry.ts';

/** NIfTI-1/2 magic at byte 344 ("n+1", "ni1") or 4 ("n+2"), or a gzip stream (DICOM, PNG and JPEG never start so). */
export function looksLikeNifti(bytes: Uint8Array): boolean {
  const at = (o: number, s: string) => [...s].every((c, i) => bytes[o + i] === c.charCodeAt(0));
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return true;
  return bytes.length >= 348 && (at(344, 'n+1') || at(344, 'ni1') || at(4, 'n+2'));
}

/**
 * A NIfTI volume as slices the rest of LungLens reads like a DICOM CT series: one frame per k-slice,
 * in Hounsfield units, each with its position and orientation. In-plane axes are flipped where needed
 * so a slice shows as radiology convention expects (patient's left toward +column, posterior toward
 * +row, as DICOM axial images are): converters such as dcm2niix store rows bottom-up.
 */
export interface NiftiSliceVolume {
  volume: NiftiVolume;
  /** Geometry of the slices as presented (after flips). */
  geometry: VolumeGeometry;
  flipI: boolean;
  flipJ: boolean;
}

let last: { name: string; size: number; slices: NiftiSliceVolume } | undefined;

/** Reads (or reuses: the decode worker asks for one slice at a time) the volume of a NIfTI file. */
export function niftiSliceVolume(bytes: Uint8Array, name: string): NiftiSliceVolume {
  if (last && last.name === name && last.size === bytes.byteLength) return last.slices;
  let volume: NiftiVolume;
  try {
    volume = readNifti(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch (e) {
    // Ingest and decoding speak DicomError (named reason + what to do); keep the NIfTI message.
    if (!(e instanceof NiftiError)) throw e;
    throw new DicomError(e.code === 'truncated' ? 'truncated' : e.code === 'not-nifti' ? 'not-dicom' : 'invalid-header', e.message);
  }
  const m = volume.voxelToLps;
  const flipI = m[0][0] < 0 && Math.abs(m[0][0]) >= Math.abs(m[1][0]);
  const flipJ = m[1][1] < 0 && Math.abs(m[1][1]) >= Math.abs(m[0][1]);
  const [nx, ny] = volume.dims;
  // Flipping an axis moves the origin to its far end and reverses the axis.
  const geometry: VolumeGeometry = {
    dims: volume.dims,
    voxelToLps: m.map((row, r) =>
      r === 3 ? [...row] : [flipI ? -row[0] : row[0], flipJ ? -row[1] : row[1], row[2], row[3] + (flipI ? row[0] * (nx - 1) : 0) + (flipJ ? row[1] * (ny - 1) : 0)],
    ),
  };
  const slices = { volume, geometry, flipI, flipJ };
  last = { name, size: bytes.byteLength, slices };
  return slices;
}

/** Header facts of every slice, for ingest (no pixel is copied). */
export function niftiSliceHeaders(bytes: Uint8Array, name = ''): SliceHeader[] {
  const { geometry } = niftiSliceVolume(bytes, name);
  const [columns, rows, slices] = geometry.dims;
  const spacing = sliceSpacingMm(geometry);
  return Array.from({ length: slices }, (_, k) => {
    const g = sliceGeometry(geometry, k);
    return {
      kind: 'nifti',
      modality: 'CT',
      rows,
      columns,
      numberOfFrames: slices,
      photometric: 'MONOCHROME2',
      bitsAllocated: 16,
      bitsStored: 16,
      pixelRepresentation: 1,
      samplesPerPixel: 1,
      seriesDescription: name.split('/').pop() || 'NIfTI volume',
      pixelSpacingMm: g.pixelSpacingMm,
      sliceThicknessMm: spacing,
      spacingBetweenSlicesMm: spacing,
      imagePositionPatient: g.imagePositionPatient,
      imageOrientationPatient: g.imageOrientationPatient,
    } satisfies SliceHeader;
  });
}

/** Slice k in HU, as a MedicalImage. */
export function niftiSliceImage(bytes: Uint8Array, name: string, k: number): MedicalImage {
  const { volume, geometry, flipI, flipJ } = niftiSliceVolume(bytes, name);
  const [nx, ny, nz] = volume.dims;
  if (!(k >= 0 && k < nz)) throw new DicomError('invalid-header', `Slice ${k + 1} is outside this ${nz}-slice volume.`);
  const src = volume.values;
  const pixels: PixelArray = src instanceof Float64Array || src instanceof Float32Array ? new Float32Array(nx * ny) : new (src.constructor as new (n: number) => Exclude<PixelArray, Float32Array>)(nx * ny);
  let min = Infinity;
  let max = -Infinity;
  const base = k * nx * ny;
  for (let r = 0; r < ny; r++) {
    const j = flipJ ? ny - 1 - r : r;
    for (let c = 0; c < nx; c++) {
      const v = src[base + j * nx + (flipI ? nx - 1 - c : c)];
      pixels[r * nx + c] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const g = sliceGeometry(geometry, k);
  const spacing = sliceSpacingMm(geometry);
  return {
    source: name,
    kind: 'nifti',
    modality: 'CT',
    rows: ny,
    columns: nx,
    frameIndex: k,
    numberOfFrames: nz,
    ...PLAIN_GRAY,
    pixels,
    minValue: min,
    maxValue: max,
    // NIfTI carries no display window: open on the lung window.
    windows: [{ center: -600, width: 1500, explanation: 'lung' }],
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 1,
    pixelSpacingMm: g.pixelSpacingMm,
    sliceThicknessMm: spacing,
    spacingBetweenSlicesMm: spacing,
    imagePositionPatient: g.imagePositionPatient,
    imageOrientationPatient: g.imageOrientationPatient,
    seriesDescription: name.split('/').pop(),
  };
}
