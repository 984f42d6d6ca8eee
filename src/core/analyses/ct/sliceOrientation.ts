import type { MedicalImage } from '../../image/medicalImage.ts';

/**
 * True unless Image Orientation (Patient) says otherwise: the slice normal (row x column direction
 * cosines) within ~25 degrees of the body axis. The CT models only saw axial slices.
 */
export function isAxialSlice(image: MedicalImage): boolean {
  const o = image.imageOrientationPatient;
  if (!o) return true;
  const nz = o[0] * o[4] - o[1] * o[3];
  return Math.abs(nz) > 0.9;
}
