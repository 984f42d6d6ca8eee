import type { AnalysisModule } from '../../core/analyses/analysisModule.ts';
import type { Series, SliceHeader } from '../../core/series/series.ts';
import { toWorkerFile } from '../decode/decodeClient.ts';
import { createRpcClient, type WorkerLike } from '../rpc.ts';
import type { PrepareProgress, PrepareRequest } from './protocol.ts';

/**
 * Runs `module.prepareSeries` over `series` in a worker of its own (started for this call, ended after it),
 * decoding the slices there, and rebuilds the result with `module.restorePrepared`. The module must have both.
 * `headers`: the series' headers as plain objects (not reactive proxies, which cannot be posted).
 */
export async function prepareSeriesInWorker(
  series: Series,
  headers: SliceHeader[],
  module: AnalysisModule,
  indices: readonly number[],
  onRead?: (done: number, total: number) => void,
  worker: WorkerLike = new Worker(new URL('./prepareWorker.ts', import.meta.url), { type: 'module', name: 'lunglens-prepare' }) as unknown as WorkerLike,
): Promise<unknown> {
  const rpc = createRpcClient<PrepareRequest>(worker, { toError: (e) => Object.assign(new Error(e.message), { name: e.name }) });
  try {
    const files = await Promise.all(series.slices.map((s) => toWorkerFile(s.input)));
    const data = await rpc.call<unknown>(
      { type: 'prepareSeries', moduleId: module.id, headers, files, frames: series.slices.map((s) => s.frameIndex), indices: [...indices] },
      { onProgress: (p: PrepareProgress) => onRead?.(p.done, p.total) },
    );
    return module.restorePrepared!(data);
  } finally {
    // ended in a task of its own: tearing a worker down takes the page's thread a while
    setTimeout(() => rpc.dispose('preparation finished'), 0);
  }
}
