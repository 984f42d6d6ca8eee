import type { MedicalImage } from '../../core/image/medicalImage.ts';
import type { IngestError } from '../../core/ingest/ingestError.ts';
import type { IngestProgress } from '../../core/ingest/ingest.ts';
import type { Series, SliceRef } from '../../core/series/series.ts';

/** Messages between the decode client (main thread) and the decode worker. */

export interface WorkerFile {
  name: string;
  blob: Blob;
}

/** A SliceRef without its (non-cloneable) input; the client re-attaches it by inputIndex. */
export type WireSlice = Omit<SliceRef, 'input'>;
export type WireSeries = Omit<Series, 'slices'> & { slices: WireSlice[] };

export type WorkerRequest =
  | { id: number; type: 'ingest'; files: WorkerFile[] }
  | { id: number; type: 'decode'; file: WorkerFile; frameIndex: number };

export type WorkerResponse =
  | { id: number; type: 'progress'; progress: IngestProgress }
  | { id: number; type: 'ingested'; series: WireSeries[]; errors: IngestError[] }
  | { id: number; type: 'decoded'; image: MedicalImage }
  | { id: number; type: 'error'; error: { code: string; message: string; action: string } };
