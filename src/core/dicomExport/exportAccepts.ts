import type { SliceHeader } from '../series/series.ts';

/** DICOM SEG / SR copy each source file's header and point at its SOP instance: single-frame DICOM only. */
export function dicomSourced(headers: readonly SliceHeader[]): boolean {
  return headers.length > 0 && headers.every((h) => h.kind === 'dicom' && h.numberOfFrames <= 1 && !!h.sopInstanceUID && !!h.seriesInstanceUID && !!h.studyInstanceUID);
}

/** A SEG or a NIfTI mask is placed by each slice's position, orientation and spacing. */
export function hasGeometry(headers: readonly SliceHeader[]): boolean {
  return headers.length > 0 && headers.every((h) => !!h.imagePositionPatient && !!h.imageOrientationPatient && !!h.pixelSpacingMm);
}
