import type { MedicalImage } from '../../core/image/medicalImage.ts';
import type { IngestInput } from '../../core/ingest/ingestInput.ts';
import type { IngestProgress, IngestResult } from '../../core/ingest/ingest.ts';
import type { SliceRef } from '../../core/series/series.ts';

/**
 * Promise-based client of the decode worker: header parsing and frame decoding run off the
 * main thread. Inputs stay Blobs on the main side; the worker receives Blob references
 * (structured clone, no byte copy) and transfers decoded pixel buffers back.
 */
export interface DecodeClient {
  ingest(inputs: IngestInput[], onProgress?: (p: IngestProgress) => void): Promise<IngestResult>;
  /** Decodes one slice to modality values. Rejects with an Error whose `code` is a DicomErrorCode. */
  decode(slice: SliceRef): Promise<MedicalImage>;
  terminate(): void;
}

export { createDecodeClient, DecodeError, type WorkerLike } from './createDecodeClient.ts';
