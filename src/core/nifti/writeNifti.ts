import { gzipSync } from 'fflate';
import { flipXY, type VolumeGeometry } from './volumeGeometry.ts';

const HEADER_BYTES = 348;
/** Header + the 4-byte "no extensions" flag: voxels start here. */
const VOX_OFFSET = 352;
const DT_UINT8 = 2;
const NIFTI_XFORM_SCANNER_ANAT = 1;
const NIFTI_UNITS_MM = 2;

export interface NiftiWriteOptions {
  /** gzip the file (.nii.gz). */
  gzip?: boolean;
  /** Up to 79 ASCII characters, shown by viewers as the volume's description. */
  description?: string;
}

/**
 * Writes a label mask (uint8, i fastest, then j, then k) as a NIfTI-1 file in the given
 * geometry, so it overlays the volume it was computed on in any NIfTI viewer. Both sform
 * (exact affine) and qform (rotation + spacing) are set, coded "scanner anatomical".
 */
export function writeNiftiMask(mask: Uint8Array, geometry: VolumeGeometry, options: NiftiWriteOptions = {}): Uint8Array {
  const [nx, ny, nz] = geometry.dims;
  if (mask.length !== nx * ny * nz) throw new Error(`Mask has ${mask.length} voxels, the volume ${nx}×${ny}×${nz} = ${nx * ny * nz}.`);
  const ras = flipXY(geometry.voxelToLps);
  const spacing = [0, 1, 2].map((c) => Math.hypot(ras[0][c], ras[1][c], ras[2][c]));
  const q = quaternion(ras, spacing);
  let maxLabel = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] > maxLabel) maxLabel = mask[i];

  const out = new Uint8Array(VOX_OFFSET + mask.length);
  const v = new DataView(out.buffer);
  const le = true;
  v.setInt32(0, HEADER_BYTES, le);
  out[38] = 'r'.charCodeAt(0); // "regular", as NIfTI-1 asks for compatibility with ANALYZE
  [3, nx, ny, nz, 1, 1, 1, 1].forEach((d, i) => v.setInt16(40 + 2 * i, d, le));
  v.setInt16(70, DT_UINT8, le);
  v.setInt16(72, 8, le); // bitpix
  [q.qfac, spacing[0], spacing[1], spacing[2], 0, 0, 0, 0].forEach((d, i) => v.setFloat32(76 + 4 * i, d, le));
  v.setFloat32(108, VOX_OFFSET, le);
  v.setFloat32(112, 1, le); // scl_slope: labels are stored as they are
  v.setFloat32(116, 0, le);
  out[123] = NIFTI_UNITS_MM;
  v.setFloat32(124, maxLabel, le); // cal_max / cal_min: display range
  v.setFloat32(128, 0, le);
  writeAscii(out, 148, 80, options.description ?? 'LungLens mask (research use)');
  v.setInt16(252, NIFTI_XFORM_SCANNER_ANAT, le); // qform_code
  v.setInt16(254, NIFTI_XFORM_SCANNER_ANAT, le); // sform_code
  [q.b, q.c, q.d, ras[0][3], ras[1][3], ras[2][3]].forEach((d, i) => v.setFloat32(256 + 4 * i, d, le));
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) v.setFloat32(280 + 16 * r + 4 * c, ras[r][c], le);
  writeAscii(out, 344, 4, 'n+1');
  out.set(mask, VOX_OFFSET);
  return options.gzip ? gzipSync(out) : out;
}

function writeAscii(out: Uint8Array, at: number, size: number, text: string): void {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?').slice(0, size - 1);
  for (let i = 0; i < ascii.length; i++) out[at + i] = ascii.charCodeAt(i);
}

/** Quaternion (b, c, d) and handedness of the affine's rotation (after NIfTI-1's nifti_mat44_to_quatern). */
function quaternion(ras: number[][], spacing: number[]): { b: number; c: number; d: number; qfac: number } {
  const R = [0, 1, 2].map((r) => [0, 1, 2].map((c) => ras[r][c] / (spacing[c] || 1)));
  const det = R[0][0] * (R[1][1] * R[2][2] - R[1][2] * R[2][1]) - R[0][1] * (R[1][0] * R[2][2] - R[1][2] * R[2][0]) + R[0][2] * (R[1][0] * R[2][1] - R[1][1] * R[2][0]);
  const qfac = det < 0 ? -1 : 1;
  if (qfac < 0) for (let r = 0; r < 3; r++) R[r][2] = -R[r][2];
  let a = R[0][0] + R[1][1] + R[2][2] + 1;
  let b: number, c: number, d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (R[2][1] - R[1][2])) / a;
    c = (0.25 * (R[0][2] - R[2][0])) / a;
    d = (0.25 * (R[1][0] - R[0][1])) / a;
  } else {
    const xd = 1 + R[0][0] - (R[1][1] + R[2][2]);
    const yd = 1 + R[1][1] - (R[0][0] + R[2][2]);
    const zd = 1 + R[2][2] - (R[0][0] + R[1][1]);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (R[0][1] + R[1][0])) / b;
      d = (0.25 * (R[0][2] + R[2][0])) / b;
      a = (0.25 * (R[2][1] - R[1][2])) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (R[0][1] + R[1][0])) / c;
      d = (0.25 * (R[1][2] + R[2][1])) / c;
      a = (0.25 * (R[0][2] - R[2][0])) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (R[0][2] + R[2][0])) / d;
      c = (0.25 * (R[1][2] + R[2][1])) / d;
      a = (0.25 * (R[1][0] - R[0][1])) / d;
    }
  }
  return a < 0 ? { b: -b, c: -c, d: -d, qfac } : { b, c, d, qfac };
}
