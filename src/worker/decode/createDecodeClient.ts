import type { MedicalImage } from '../../core/image/medicalImage.ts';
import type { IngestInput } from '../../core/ingest/ingestInput.ts';
import type { IngestProgress, IngestResult } from '../../core/ingest/ingest.ts';
import type { SliceRef } from '../../core/series/series.ts';
import type { DecodeClient } from './decodeClient.ts';
import type { WorkerFile, WorkerRequest, WorkerResponse } from './protocol.ts';

/** Error from the worker, with the DicomErrorCode so the UI can name the reason. */
export class DecodeError extends Error {
  readonly code: string;
  readonly action: string;
  constructor(code: string, message: string, action: string) {
    super(message);
    this.name = 'DecodeError';
    this.code = code;
    this.action = action;
  }
}

interface Pending {
  resolve: (value: never) => void;
  reject: (e: Error) => void;
  onProgress?: (p: IngestProgress) => void;
  inputs?: IngestInput[];
}

/** Omit distributed over the union members. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Minimal Worker surface, so tests can pass an in-process fake. */
export interface WorkerLike {
  postMessage(message: WorkerRequest): void;
  onmessage: ((event: MessageEvent<WorkerResponse>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

export function createDecodeClient(worker?: WorkerLike): DecodeClient {
  const w: WorkerLike = worker ?? (new Worker(new URL('./decodeWorker.ts', import.meta.url), { type: 'module', name: 'lunglens-decode' }) as unknown as WorkerLike);
  const pending = new Map<number, Pending>();
  let nextId = 1;

  w.onmessage = (event) => {
    const msg = event.data;
    const p = pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg.progress);
      return;
    }
    pending.delete(msg.id);
    if (msg.type === 'error') p.reject(new DecodeError(msg.error.code, msg.error.message, msg.error.action));
    else if (msg.type === 'decoded') p.resolve(msg.image as never);
    else if (msg.type === 'ingested') {
      const inputs = p.inputs ?? [];
      const result: IngestResult = {
        series: msg.series.map((s) => ({ ...s, slices: s.slices.map((sl) => ({ ...sl, input: inputs[sl.inputIndex] })) })),
        errors: msg.errors,
      };
      p.resolve(result as never);
    }
  };
  w.onerror = (event) => {
    // A crashed worker fails everything in flight rather than leaving promises hanging.
    const err = new DecodeError('decode-failed', `Decode worker error: ${event.message}`, 'Reload the page and try again.');
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  function send<T>(request: WithoutId<WorkerRequest>, extra: Partial<Pending> = {}): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: never) => void, reject, ...extra });
      w.postMessage({ ...request, id } as WorkerRequest);
    });
  }

  return {
    async ingest(inputs, onProgress) {
      const files = await Promise.all(inputs.map(toWorkerFile));
      return send<IngestResult>({ type: 'ingest', files }, { onProgress, inputs });
    },
    async decode(slice: SliceRef) {
      return send<MedicalImage>({ type: 'decode', file: await toWorkerFile(slice.input), frameIndex: slice.frameIndex });
    },
    terminate() {
      w.terminate();
      const err = new DecodeError('decode-failed', 'Decode worker terminated.', '');
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    },
  };
}

/** Blob-backed inputs go over as is; others are read once into a Blob. */
async function toWorkerFile(input: IngestInput): Promise<WorkerFile> {
  return { name: input.name, blob: input.blob ?? new Blob([await input.read()]) };
}
