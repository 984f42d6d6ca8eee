import { describe, expect, it } from 'vitest';
import { createDecodeClient, type WorkerLike } from './createDecodeClient.ts';
import { handleRequest } from './handleRequest.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';
import { inputFromBlob } from '../../core/ingest/browserInputs.ts';
import { writeSyntheticCtSlice } from '../../core/dicom/testing/writeSyntheticCtSlice.ts';

/** Runs the worker's request handler in-process, with structured cloning like postMessage. */
function fakeWorker(): WorkerLike & { transferred: number } {
  const fake = {
    onmessage: null as ((e: MessageEvent<WorkerResponse>) => void) | null,
    onerror: null,
    transferred: 0,
    postMessage(request: WorkerRequest) {
      const cloned = structuredClone(request);
      void handleRequest(cloned, (message, transfer) => {
        fake.transferred += transfer?.length ?? 0;
        const delivered = structuredClone(message, { transfer: transfer ?? [] });
        queueMicrotask(() => fake.onmessage?.({ data: delivered } as MessageEvent<WorkerResponse>));
      });
    },
    terminate() {},
  };
  return fake;
}

describe('decode client ↔ worker protocol', () => {
  it('ingests Blobs with progress, re-attaches inputs, decodes with transferred pixels, names errors', async () => {
    const worker = fakeWorker();
    const client = createDecodeClient(worker);
    const inputs = [3, 1, 2].map((i) => inputFromBlob(new Blob([writeSyntheticCtSlice({ rows: 8, columns: 8, instanceNumber: i })]), `s${i}.dcm`));
    inputs.push(inputFromBlob(new Blob(['not dicom at all, just text that is long enough to be checked properly']), 'x.txt'));
    const progress: number[] = [];
    const result = await client.ingest(inputs, (p) => progress.push(p.done));
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(result.errors.map((e) => e.code)).toEqual(['not-dicom']);
    const slices = result.series[0].slices;
    expect(slices.map((s) => s.input.name)).toEqual(['s1.dcm', 's2.dcm', 's3.dcm']);
    expect(slices[0].input).toBe(inputs[1]);
    const image = await client.decode(slices[2]);
    expect(image.instanceNumber).toBe(3);
    expect(image.pixels).toHaveLength(64);
    expect(worker.transferred).toBe(1);
    await expect(client.decode({ ...slices[0], input: inputs[3] })).rejects.toMatchObject({ code: 'not-dicom' });
  });
});
