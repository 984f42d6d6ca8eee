import type { IngestInput } from './ingestInput.ts';
import type { IngestError } from './ingestError.ts';
import type { Series, SliceRef } from '../series/series.ts';
import { groupSeries } from '../series/groupSeries.ts';
import { DicomError, actionFor } from '../dicom/dicomError.ts';
import { readSliceHeaders } from './readSliceHeaders.ts';

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
  /** Files read and header-parsed at once (default 8): bounds memory, keeps I/O busy. */
  concurrency?: number;
}

/** Files the OS or a PACS export leaves beside images; skipped silently, not errors. */
const ignoredNames = /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini|DICOMDIR|\._[^/]*)$/i;

/**
 * Reads every input's header (no pixel decode), groups into series and sorts the slices.
 * Never throws for a bad file: it lands in `errors` with a named reason.
 */
export async function ingest(
  inputs: IngestInput[],
  onProgress?: (p: IngestProgress) => void,
  options: IngestOptions = {},
): Promise<IngestResult> {
  const slices: SliceRef[][] = new Array(inputs.length);
  const errors: (IngestError | undefined)[] = new Array(inputs.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= inputs.length) return;
      const input = inputs[i];
      if (!ignoredNames.test(input.name)) {
        const result = await ingestOne(input, i);
        if ('error' in result) errors[i] = result.error;
        else slices[i] = result.slices;
      }
      done++;
      onProgress?.({ done, total: inputs.length, current: input.name });
    }
  };
  const n = Math.max(1, Math.min(options.concurrency ?? 8, inputs.length));
  await Promise.all(Array.from({ length: n }, worker));
  return {
    series: groupSeries(slices.flatMap((s) => s ?? [])),
    errors: errors.filter((e): e is IngestError => !!e),
  };
}

async function ingestOne(input: IngestInput, inputIndex: number): Promise<{ slices: SliceRef[] } | { error: IngestError }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await input.read());
  } catch (e) {
    return { error: toIngestError(input.name, new DicomError('read-failed', `Could not read the file: ${message(e)}`)) };
  }
  try {
    const headers = readSliceHeaders(bytes, input.name);
    return { slices: headers.map((header, frameIndex) => ({ input, inputIndex, frameIndex, header })) };
  } catch (e) {
    return { error: toIngestError(input.name, e) };
  }
}

function toIngestError(file: string, e: unknown): IngestError {
  const err = e instanceof DicomError ? e : new DicomError('decode-failed', `Unexpected error: ${message(e)}`);
  return { file, code: err.code, message: err.message, action: actionFor(err.code) };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
