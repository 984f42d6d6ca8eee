import type { IngestError } from '../../core/ingest/ingestError.ts';
import type { Series, SliceRef } from '../../core/series/series.ts';

/** Requests from the decode client to the decode worker (replies: src/worker/rpc.ts). */

export interface WorkerFile {
  /** Stable identity of the input for this client (two files may share a name and a size). */
  id: number;
  name: string;
  blob: Blob;
}

/** A SliceRef without its (non-cloneable) input; the client re-attaches it by inputIndex. */
export type WireSlice = Omit<SliceRef, 'input'>;
export type WireSeries = Omit<Series, 'slices'> & { slices: WireSlice[] };

/** `ingest` reports IngestProgress and answers IngestedReply; `decode` answers a MedicalImage. */
export type DecodeRequest =
  | { id: number; type: 'ingest'; files: WorkerFile[] }
  | { id: number; type: 'decode'; file: WorkerFile; frameIndex: number };

export interface IngestedReply {
  series: WireSeries[];
  errors: IngestError[];
}
