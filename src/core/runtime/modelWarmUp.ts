import { inputDims } from './manifest.ts';
import type { ModelSession } from './session.ts';

/**
 * Runs a freshly opened session a few times on a blank input, so the first real slice does not pay for
 * one-off costs: in the browser, V8 first runs the WASM runtime on baseline (Liftoff) code and moves hot
 * kernels to optimised code only after they ran a while; the first runs of a model are 2-3x slower
 * (bench/study-results.md). Stops after `runs` runs or after `budgetMs`.
 */
export async function warmUpSession(session: ModelSession, runs = 3, budgetMs = 1000): Promise<number> {
  const dims = inputDims(session.entry.input);
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  const start = performance.now();
  let done = 0;
  while (done < runs && performance.now() - start < budgetMs) {
    // a fresh input each time: an engine may take the buffer over (transfer)
    await session.run({ [session.entry.input.name]: { data: done === 0 ? data : data.slice(), dims } });
    done++;
  }
  return done;
}
