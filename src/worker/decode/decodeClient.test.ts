import { describe, expect, it } from 'vitest';
import { rpcHandler, type RpcMessage, type WorkerLike } from '../rpc.ts';
import { createDecodeClient } from './decodeClient.ts';
import { handleDecodeRequest } from './handleRequest.ts';
import type { DecodeRequest } from './protocol.ts';
import { inputFromBlob } from '../../core/ingest/browserInputs.ts';
import { writeSyntheticCtSlice } from '../../core/dicom/testing/writeSyntheticCtSlice.ts';

/** Runs the worker's request handler in-process, with structured cloning like postMessage. */
function fakeWorker(): WorkerLike & { transferred: number } {
  const handle = rpcHandler<DecodeRequest>((message: RpcMessage, transfer?: Transferable[]) => {
    fake.transferred += transfer?.length ?? 0;
    const delivered = structuredClone(message, { transfer: transfer ?? [] });
    queueMicrotask(() => fake.onmessage?.({ data: delivered } as MessageEvent));
  }, handleDecodeRequest);
  const fake = {
    onmessage: null as ((e: MessageEvent) => void) | null,
    onerror: null,
    transferred: 0,
    postMessage(request: unknown) {
      void handle(structuredClone(request) as DecodeRequest);
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

  it('keeps apart two different files with the same name and size (byte cache keyed by file identity)', async () => {
    const client = createDecodeClient(fakeWorker());
    const a = inputFromBlob(new Blob([writeSyntheticCtSlice({ rows: 8, columns: 8, instanceNumber: 1 })]), 'same.dcm');
    const b = inputFromBlob(new Blob([writeSyntheticCtSlice({ rows: 8, columns: 8, instanceNumber: 2 })]), 'same.dcm');
    expect(a.size).toBe(b.size);
    const [sa, sb] = (await client.ingest([a, b])).series[0].slices;
    expect((await client.decode(sa)).instanceNumber).toBe(1);
    expect((await client.decode(sb)).instanceNumber).toBe(2);
    expect((await client.decode(sa)).instanceNumber).toBe(1);
  });
});
