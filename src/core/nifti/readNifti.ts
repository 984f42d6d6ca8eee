import * as nifti from 'nifti-reader-js';
import { NiftiError } from './niftiError.ts';
import { flipXY, type VolumeGeometry } from './volumeGeometry.ts';

export type VoxelArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export interface NiftiVolume extends VolumeGeometry {
  /** Voxel values after scl_slope/scl_inter (HU for a CT), i fastest, then j, then k. */
  values: VoxelArray;
  /** Which header field gave the orientation. */
  transform: 'sform' | 'qform';
  description: string;
}

const typedArrays: Record<number, { make: (b: ArrayBuffer) => VoxelArray; bytes: number }> = {
  2: { make: (b) => new Uint8Array(b), bytes: 1 },
  4: { make: (b) => new Int16Array(b), bytes: 2 },
  8: { make: (b) => new Int32Array(b), bytes: 4 },
  16: { make: (b) => new Float32Array(b), bytes: 4 },
  64: { make: (b) => new Float64Array(b), bytes: 8 },
  256: { make: (b) => new Int8Array(b), bytes: 1 },
  512: { make: (b) => new Uint16Array(b), bytes: 2 },
  768: { make: (b) => new Uint32Array(b), bytes: 4 },
};

/**
 * Reads a .nii or .nii.gz (NIfTI-1 or -2) into a 3-D volume in DICOM's patient frame.
 * Orientation comes from the sform when its code is set, else from the qform (as nibabel and
 * ITK do); a file with neither is refused rather than guessed.
 */
export function readNifti(file: ArrayBuffer): NiftiVolume {
  let data = file;
  try {
    if (nifti.isCompressed(data)) data = nifti.decompress(data) as ArrayBuffer;
  } catch (e) {
    throw new NiftiError('truncated', `The .nii.gz could not be decompressed (${e instanceof Error ? e.message : String(e)}): the file is damaged or cut off.`);
  }
  if (!nifti.isNIFTI(data)) throw new NiftiError('not-nifti', 'Not a NIfTI file (no "n+1"/"ni1"/"n+2" magic): open a .nii or .nii.gz volume.');
  const header = nifti.readHeader(data);
  const dims = header.dims;
  const rank = dims[0];
  if (rank > 3 && dims.slice(4, rank + 1).some((d) => d > 1)) {
    throw new NiftiError('not-3d', `This NIfTI is ${rank}-D (${dims.slice(1, rank + 1).join(' × ')}): LungLens opens one 3-D CT volume. Split it into single volumes first (e.g. fslsplit).`);
  }
  const [nx, ny, nz] = [dims[1], dims[2], rank >= 3 ? dims[3] : 1].map((d) => Math.max(1, d));
  const kind = typedArrays[header.datatypeCode];
  if (!kind) throw new NiftiError('unsupported-datatype', `NIfTI datatype ${header.datatypeCode} is not a scalar image type LungLens reads (8/16/32-bit integers, float32/64).`);
  const count = nx * ny * nz;
  const offset = Math.max(0, Math.round(header.vox_offset));
  if (offset + count * kind.bytes > data.byteLength) {
    throw new NiftiError('truncated', `The NIfTI is cut off: ${nx}×${ny}×${nz} voxels need ${offset + count * kind.bytes} bytes, the file has ${data.byteLength}.`);
  }
  const raw = kind.make(data.slice(offset, offset + count * kind.bytes));
  if (!header.littleEndian && kind.bytes > 1) swapBytes(raw);
  const { affine, transform } = rasAffine(header, data);
  return {
    dims: [nx, ny, nz],
    voxelToLps: flipXY(affine),
    values: applyScaling(raw, header.scl_slope, header.scl_inter),
    transform,
    description: header.description ?? '',
  };
}

/** voxel → RAS affine from the sform (srow_x/y/z) when sform_code > 0, else from the qform. */
function rasAffine(header: ReturnType<typeof nifti.readHeader>, data: ArrayBuffer): { affine: number[][]; transform: 'sform' | 'qform' } {
  if (header.sform_code > 0) {
    if (header instanceof nifti.NIFTI1) {
      const view = new DataView(data);
      const row = (at: number) => [0, 1, 2, 3].map((c) => view.getFloat32(at + 4 * c, header.littleEndian));
      return { affine: [row(280), row(296), row(312), [0, 0, 0, 1]], transform: 'sform' };
    }
    return { affine: header.affine.map((r) => [...r]), transform: 'sform' }; // NIfTI-2: the reader takes the sform
  }
  if (header.qform_code > 0) return { affine: header.getQformMat().map((r) => [...r]), transform: 'qform' };
  throw new NiftiError('no-orientation', 'This NIfTI has no orientation (qform_code and sform_code are both 0): LungLens cannot tell left from right or measure in mm. Re-export it with its scanner geometry (e.g. dcm2niix).');
}

function applyScaling(raw: VoxelArray, slope: number, inter: number): VoxelArray {
  // scl_slope 0 (or NaN) means "no scaling" in the NIfTI-1 standard.
  if (!slope || !Number.isFinite(slope) || (slope === 1 && !inter)) return raw;
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw[i] * slope + (inter || 0);
  return out;
}

function swapBytes(a: VoxelArray): void {
  const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const n = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < b.length; i += n) b.subarray(i, i + n).reverse();
}
