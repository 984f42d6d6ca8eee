/**
 * How a unit of work is executed: in this process (`--jobs 1`, or when a sink needs the decoded
 * images, e.g. DICOM SEG export), or in one of N worker processes (`--jobs N`). Worker replies carry
 * the printed records only; they are turned back into items that name their analysis module, so the
 * CSV, text and JSON sinks treat both alike.
 */
import { availableParallelism } from 'node:os';
import type { AnalysisModule, AnalysisRecord } from '../../core/analyses/analysisModule.ts';
import type { BatchItem, BatchUnit } from './batchRun.ts';
import { nodeWorkerSpawner, ProcessPool, serveUnits } from './processPool.ts';

export interface UnitExecutor<T extends BatchItem> {
  execute(unit: BatchUnit<T>): Promise<T[]>;
  close(): Promise<void>;
}

export function inProcessExecutor<T extends BatchItem>(): UnitExecutor<T> {
  return {
    async execute(unit) {
      const items: T[] = [];
      for await (const item of unit.run()) items.push(item);
      return items;
    },
    close: async () => {},
  };
}

/** The item a worker's printed record stands for: an error, a series record, or an analysed image with its module. */
function itemFromRecord(out: Record<string, unknown>, registry: readonly AnalysisModule[]): BatchItem & { result?: { record: AnalysisRecord; masks: object } } {
  if (typeof out.error === 'string') return { kind: 'error', file: String(out.file), out };
  if (typeof out.series === 'string') return { kind: 'series', file: out.series, out };
  const id = String(out.analysis ?? out.modality);
  const module = registry.find((m) => m.id === id);
  return { kind: 'image', file: String(out.file), out, module, result: { record: out as unknown as AnalysisRecord, masks: {} } };
}

/**
 * N worker processes running `<script> analyze --batch-worker <workerArgs>`. Each gets an equal share of
 * the cores for its ORT threads unless `--threads` was given.
 */
export function processExecutor<T extends BatchItem>(
  script: string, jobs: number, workerArgs: readonly string[], registry: readonly AnalysisModule[],
): UnitExecutor<T> {
  const threads = workerArgs.includes('--threads') ? [] : ['--threads', String(Math.max(1, Math.floor(availableParallelism() / jobs)))];
  const pool = new ProcessPool(nodeWorkerSpawner(script, ['analyze', '--batch-worker', ...workerArgs, ...threads]), jobs);
  const local = inProcessExecutor<T>();
  return {
    async execute(unit) {
      if (unit.needsSiblings) return local.execute(unit);
      const outs = await pool.run(unit.files);
      return outs.map((o) => itemFromRecord(o as Record<string, unknown>, registry) as T);
    },
    close: () => pool.close(),
  };
}

/** The worker's loop: analyse each requested unit, reply with its printed records (stdout is the reply channel). */
export function serveBatchWorker(analyse: (files: string[]) => AsyncIterable<{ out: object }>): Promise<void> {
  return serveUnits(process.stdin, (line) => process.stdout.write(line), async (files) => {
    const outs: object[] = [];
    for await (const item of analyse(files)) outs.push(item.out);
    return outs;
  });
}
