import { describe, expect, it } from 'vitest';
import { createRpcClient, rpcEvent, rpcHandler, type RpcMessage, type WorkerLike } from './rpc.ts';

type Req = { id: number; type: 'echo'; value: number; delayMs?: number } | { id: number; type: 'fail' };

/** A worker whose handler runs in-process with postMessage's structured cloning; `crash()` fires onerror. */
function fakeWorker(serial: boolean) {
  const order: number[] = [];
  const fake: WorkerLike & { crash(): void } = {
    onmessage: null,
    onerror: null,
    postMessage(request) {
      void handle(structuredClone(request) as Req);
    },
    terminate() {},
    crash() {
      fake.onerror?.({ message: 'out of memory' } as ErrorEvent);
    },
  };
  const post = (m: RpcMessage) => queueMicrotask(() => fake.onmessage?.({ data: structuredClone(m) } as MessageEvent));
  const handle = rpcHandler<Req>(post, async (req, progress) => {
    if (req.type === 'fail') throw Object.assign(new Error('bad file'), { name: 'DicomError', code: 'not-dicom', action: 'Pick a DICOM file.' });
    progress(req.value / 2);
    await new Promise((r) => setTimeout(r, req.delayMs ?? 0));
    order.push(req.value);
    rpcEvent(post, 'tick', req.value);
    return { result: req.value * 10 };
  }, { serial });
  return { fake, order };
}

const errorOf = (e: { name: string; message: string; code?: string }) => Object.assign(new Error(e.message), { name: e.name, code: e.code });

describe('worker rpc', () => {
  it('answers by id, reports progress and events, and rebuilds errors with their name and code', async () => {
    const { fake } = fakeWorker(false);
    const events: unknown[] = [];
    const rpc = createRpcClient<Req>(fake, { toError: errorOf, onEvent: (e, d) => events.push([e, d]) });
    const progress: number[] = [];
    expect(await rpc.call<number>({ type: 'echo', value: 4 }, { onProgress: (p: number) => progress.push(p) })).toBe(40);
    expect(progress).toEqual([2]);
    expect(events).toEqual([['tick', 4]]);
    await expect(rpc.call({ type: 'fail' })).rejects.toMatchObject({ name: 'DicomError', code: 'not-dicom', message: 'bad file' });
  });

  it('serial handlers run one request at a time, in order', async () => {
    const { fake, order } = fakeWorker(true);
    const rpc = createRpcClient<Req>(fake, { toError: errorOf });
    const got = await Promise.all([rpc.call({ type: 'echo', value: 1, delayMs: 30 }), rpc.call({ type: 'echo', value: 2 })]);
    expect(got).toEqual([10, 20]);
    expect(order).toEqual([1, 2]);
  });

  it('a crashed worker or dispose() rejects what is in flight', async () => {
    const { fake } = fakeWorker(false);
    const rpc = createRpcClient<Req>(fake, { toError: errorOf });
    const pending = rpc.call({ type: 'echo', value: 1, delayMs: 50 });
    fake.crash();
    await expect(pending).rejects.toThrow(/worker error: out of memory/);
    const later = rpc.call({ type: 'echo', value: 1, delayMs: 50 });
    rpc.dispose('client disposed');
    await expect(later).rejects.toThrow('client disposed');
  });
});
