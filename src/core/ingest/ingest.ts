import type { IngestInput } from './ingestInput.ts';
import type { IngestError } from './ingestError.ts';
import type { Series } from '../series/series.ts';

export interface IngestProgress {
  done: number;
  total: number;
  /** Name of the last file finished. */
  current: string;
}

export interface IngestResult {
  series: Series[];
  errors: IngestError[];
}

export interface IngestOptions {
  /** Files read and header-parsed at once (default 8). */
  concurrency?: number;
}

export async function ingest(
  inputs: IngestInput[],
  onProgress?: (p: IngestProgress) => void,
  options: IngestOptions = {},
): Promise<IngestResult> {
  void inputs; void onProgress; void options;
  throw new Error('ingest: implementation in progress');
}
