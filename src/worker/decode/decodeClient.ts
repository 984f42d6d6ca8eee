import type { MedicalImage } from '../../core/image/medicalImage.ts';
import type { IngestInput } from '../../core/ingest/ingestInput.ts';
import type { IngestProgress, IngestResult } from '../../core/ingest/ingest.ts';
import type { SliceRef } from '../../core/series/series.ts';
import { createRpcClient, type WorkerLike } from '../rpc.ts';
import type { DecodeRequest, IngestedReply, WorkerFile } from './protocol.ts';

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

/** Error from the worker, with the DicomErrorCode so the UI can name the reason. */
class DecodeError extends Error {
  readonly code: string;
  readonly action: string;
  constructor(code: string, message: string, action: string) {
    super(message);
    this.name = 'DecodeError';
    this.code = code;
    this.action = action;
  }
}

/** Each input object gets one id for the worker's byte cache, however many times it is sent. */
const fileIds = new WeakMap<IngestInput, number>();
let nextFileId = 1;

/** Blob-backed inputs go over as is; others are read into a Blob. */
export async function toWorkerFile(input: IngestInput): Promise<WorkerFile> {
  let id = fileIds.get(input);
  if (id === undefined) fileIds.set(input, (id = nextFileId++));
  return { id, name: input.name, blob: input.blob ?? new Blob([await input.read()]) };
}

export function createDecodeClient(worker?: WorkerLike): DecodeClient {
  const w = worker ?? (new Worker(new URL('./decodeWorker.ts', import.meta.url), { type: 'module', name: 'lunglens-decode' }) as unknown as WorkerLike);
  const rpc = createRpcClient<DecodeRequest>(w, {
    toError: (e) => new DecodeError(e.code ?? 'decode-failed', e.message, e.action ?? ''),
  });
  return {
    async ingest(inputs, onProgress) {
      const files = await Promise.all(inputs.map(toWorkerFile));
      const reply = await rpc.call<IngestedReply>({ type: 'ingest', files }, { onProgress });
      return {
        series: reply.series.map((s) => ({ ...s, slices: s.slices.map((sl) => ({ ...sl, input: inputs[sl.inputIndex] })) })),
        errors: reply.errors,
      };
    },
    async decode(slice) {
      return rpc.call<MedicalImage>({ type: 'decode', file: await toWorkerFile(slice.input), frameIndex: slice.frameIndex });
    },
    terminate: () => rpc.dispose('Decode worker terminated.'),
  };
}
