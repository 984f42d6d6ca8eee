import type { DicomErrorCode } from '../dicom/dicomError.ts';

/** A file that could not be ingested, with a human reason and what to do about it. */
export interface IngestError {
  file: string;
  code: DicomErrorCode;
  message: string;
  action: string;
}
