/**
 * `--jobs N`: at most N inputs in flight at once. Items are pulled from an iterator only when a
 * slot frees up, so memory holds N inputs, never the whole cohort; results are handed to
 * `onResult` in completion order (the streaming writer wants them as soon as they exist).
 * A task that throws is passed to `onResult` as its error: one bad input never stops the run.
 */

export type PoolOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export async function runPool<T, R>(
  items: Iterable<T>,
  jobs: number,
  task: (item: T, index: number) => Promise<R>,
  onResult: (item: T, outcome: PoolOutcome<R>, index: number) => void | Promise<void>,
): Promise<void> {
  if (!(Number.isInteger(jobs) && jobs >= 1)) throw new Error(`jobs must be a whole number >= 1, got ${jobs}`);
  const iterator = items[Symbol.iterator]();
  let index = 0;
  let failure: unknown;
  const next = (): { item: T; index: number } | undefined => {
    if (failure !== undefined) return undefined;
    const r = iterator.next();
    return r.done ? undefined : { item: r.value, index: index++ };
  };
  const lane = async (): Promise<void> => {
    for (let n = next(); n; n = next()) {
      let outcome: PoolOutcome<R>;
      try {
        outcome = { ok: true, value: await task(n.item, n.index) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      try {
        await onResult(n.item, outcome, n.index);
      } catch (e) {
        failure ??= e; // the sink failed (disk full?): stop taking new work, report it
      }
    }
  };
  await Promise.all(Array.from({ length: jobs }, lane));
  if (failure !== undefined) throw failure;
}
