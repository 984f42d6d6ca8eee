import type { AnalysisKind } from '../report/analysisRecords.ts';

/** DICOM modalities analysed as chest radiographs. */
const RADIOGRAPH_MODALITIES = new Set(['CR', 'DX', 'DR']);

/**
 * Which analysis an image gets: DICOM says its modality; PNG/JPEG (and DICOM of other
 * modalities) return null, and the user (or `--modality`) must say.
 */
export function analysisKindOf(image: { kind: string; modality: string }): AnalysisKind | null {
  if (image.kind !== 'dicom') return null;
  if (image.modality === 'CT') return 'ct';
  if (RADIOGRAPH_MODALITIES.has(image.modality)) return 'cxr';
  return null;
}
