/**
 * Runs async jobs one at a time in call order. Session creation goes through one of
 * these: ORT-web initialises its WASM/WebGPU runtime on the first create, and two
 * concurrent first creates race (transformers.js serialises for the same reason).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
