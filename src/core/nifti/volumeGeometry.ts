/**
 * Geometry of a voxel volume in DICOM's patient frame (LPS, mm): where voxel (i, j, k) lies.
 * i runs along an image row (DICOM column index), j down the image (row index), k across slices.
 * NIfTI stores the same mapping in RAS, so crossing between them flips x and y.
 */
export interface VolumeGeometry {
  /** [columns (i), rows (j), slices (k)]. */
  dims: [number, number, number];
  /** 4×4 row-major affine: voxel (i, j, k, 1) → LPS mm. */
  voxelToLps: number[][];
}

export type Vec3 = [number, number, number];

export interface SliceGeometry {
  imagePositionPatient: Vec3;
  /** Row direction (increasing column index), then column direction (increasing row index). */
  imageOrientationPatient: [number, number, number, number, number, number];
  /** [row spacing, column spacing] in mm, as DICOM's Pixel Spacing. */
  pixelSpacingMm: [number, number];
}

const column = (m: number[][], c: number): Vec3 => [m[0][c], m[1][c], m[2][c]];
const norm = (v: Vec3) => Math.hypot(v[0], v[1], v[2]);

/** Distance between neighbouring slices (the length of the k axis). */
export function sliceSpacingMm(g: VolumeGeometry): number {
  return norm(column(g.voxelToLps, 2));
}

/** DICOM-style geometry of slice k. */
export function sliceGeometry(g: VolumeGeometry, k: number): SliceGeometry {
  const m = g.voxelToLps;
  const u = column(m, 0);
  const v = column(m, 1);
  const [du, dv] = [norm(u), norm(v)];
  return {
    imagePositionPatient: [m[0][2] * k + m[0][3], m[1][2] * k + m[1][3], m[2][2] * k + m[2][3]],
    imageOrientationPatient: [u[0] / du, u[1] / du, u[2] / du, v[0] / dv, v[1] / dv, v[2] / dv],
    pixelSpacingMm: [dv, du],
  };
}

/** The affine of a sorted DICOM series: first slice's position, orientation, spacing, and the step to the last slice. */
export function geometryFromSlices(slices: readonly SliceGeometry[], rows: number, columns: number): VolumeGeometry {
  if (slices.length === 0) throw new Error('No slices to take geometry from.');
  const first = slices[0];
  const last = slices[slices.length - 1];
  const o = first.imageOrientationPatient;
  const [rowMm, colMm] = first.pixelSpacingMm;
  const n = slices.length;
  let step: Vec3;
  if (n > 1) {
    step = [0, 1, 2].map((a) => (last.imagePositionPatient[a] - first.imagePositionPatient[a]) / (n - 1)) as Vec3;
  } else {
    // One slice: unit thickness along the normal.
    step = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];
  }
  const p = first.imagePositionPatient;
  return {
    dims: [columns, rows, n],
    voxelToLps: [
      [o[0] * colMm, o[3] * rowMm, step[0], p[0]],
      [o[1] * colMm, o[4] * rowMm, step[1], p[1]],
      [o[2] * colMm, o[5] * rowMm, step[2], p[2]],
      [0, 0, 0, 1],
    ],
  };
}

/** LPS ↔ RAS: negate the x and y rows. The same matrix both ways. */
export function flipXY(m: readonly number[][]): number[][] {
  return m.map((row, r) => (r < 2 ? row.map((v) => -v) : [...row]));
}

/** Inverse of an affine 4×4 (last row 0 0 0 1). */
export function invertAffine(m: readonly number[][]): number[][] {
  const [a, b, c] = [m[0], m[1], m[2]];
  const det = a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0]);
  if (Math.abs(det) < 1e-12) throw new Error('Singular voxel-to-patient matrix.');
  const inv = [
    [(b[1] * c[2] - b[2] * c[1]) / det, (a[2] * c[1] - a[1] * c[2]) / det, (a[1] * b[2] - a[2] * b[1]) / det],
    [(b[2] * c[0] - b[0] * c[2]) / det, (a[0] * c[2] - a[2] * c[0]) / det, (a[2] * b[0] - a[0] * b[2]) / det],
    [(b[0] * c[1] - b[1] * c[0]) / det, (a[1] * c[0] - a[0] * c[1]) / det, (a[0] * b[1] - a[1] * b[0]) / det],
  ];
  const t = [a[3], b[3], c[3]];
  return [
    [...inv[0], -(inv[0][0] * t[0] + inv[0][1] * t[1] + inv[0][2] * t[2])],
    [...inv[1], -(inv[1][0] * t[0] + inv[1][1] * t[1] + inv[1][2] * t[2])],
    [...inv[2], -(inv[2][0] * t[0] + inv[2][1] * t[1] + inv[2][2] * t[2])],
    [0, 0, 0, 1],
  ];
}

export function applyAffine(m: readonly number[][], p: Vec3): Vec3 {
  return [0, 1, 2].map((r) => m[r][0] * p[0] + m[r][1] * p[1] + m[r][2] * p[2] + m[r][3]) as Vec3;
}
