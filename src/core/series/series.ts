import type { IngestInput } from '../ingest/ingestInput.ts';
import type { SourceKind } from '../image/medicalImage.ts';

/** Header facts of one slice (frame), enough to sort, list and describe it without pixels. */
export interface SliceHeader {
  kind: SourceKind;
  modality: string;
  rows: number;
  columns: number;
  numberOfFrames: number;
  transferSyntax?: string;
  photometric: string;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  samplesPerPixel: number;
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  seriesDescription?: string;
  pixelSpacingMm?: [number, number];
  sliceThicknessMm?: number;
  spacingBetweenSlicesMm?: number;
  /** Position of this frame (per-frame functional groups for enhanced multi-frame). */
  imagePositionPatient?: [number, number, number];
  imageOrientationPatient?: [number, number, number, number, number, number];
}

/**
 * Enough to decode one slice later: the input it lives in, its index in the ingest call's
 * input list (so a worker can refer to it), and the frame within that file.
 */
export interface SliceRef {
  input: IngestInput;
  inputIndex: number;
  frameIndex: number;
  header: SliceHeader;
}

export interface Series {
  /** Stable key: seriesInstanceUID, or a synthetic one for PNG/JPEG and UID-less files. */
  key: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  modality: string;
  description: string;
  kind: SourceKind;
  /** Sorted along the slice normal (Image Position Patient), else by Instance Number. */
  slices: SliceRef[];
}
