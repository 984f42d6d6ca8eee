/**
 * `--jobs N` across processes: N child `lunglens analyze --batch-worker` processes, each with its own
 * models, analyse one unit (a file or a whole series) at a time. In one process the analyses share one
 * JS thread and one ORT thread pool and do not get faster; separate processes do, and a child that
 * crashes costs only its current unit (its files get error records) and is replaced.
 *
 * Protocol (JSON lines): parent → child stdin `{"id": n, "files": [...]}`; child → parent stdout
 * `{"id": n, "outs": [printed records...]}`. The child exits when its stdin ends.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';

export interface UnitRequest {
  id: number;
  files: string[];
}

export interface UnitReply {
  id: number;
  outs: object[];
}

/** A worker: stdin and stdout are the protocol pipes, stderr is shared with the parent. */
export type WorkerProcess = ChildProcessByStdio<Writable, Readable, null>;

interface Worker {
  child: WorkerProcess;
  busy?: { request: UnitRequest; resolve: (outs: object[]) => void };
  exited: boolean;
}

/** Starts a worker process. */
export type WorkerSpawner = () => WorkerProcess;

export function nodeWorkerSpawner(script: string, args: readonly string[]): WorkerSpawner {
  return () => spawn(process.execPath, [...process.execArgv, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
}

export class ProcessPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((w: Worker) => void)[] = [];
  private readonly all = new Set<Worker>();
  private nextId = 0;

  constructor(private readonly spawnWorker: WorkerSpawner, private readonly size: number) {}

  /** Analyses one unit's files in a free worker; never rejects (a dead worker gives error records). */
  async run(files: string[]): Promise<object[]> {
    const worker = await this.acquire();
    const request: UnitRequest = { id: this.nextId++, files };
    const outs = await new Promise<object[]>((resolve) => {
      worker.busy = { request, resolve };
      worker.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
    worker.busy = undefined;
    if (!worker.exited) this.release(worker);
    return outs;
  }

  /** Ends every worker (closing stdin lets it finish and exit) and waits for them. */
  async close(): Promise<void> {
    const exits = [...this.all].map((w) => (w.exited ? Promise.resolve() : new Promise<void>((r) => w.child.once('exit', () => r()))));
    for (const w of this.all) w.child.stdin.end();
    await Promise.all(exits);
  }

  private acquire(): Promise<Worker> {
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    if (this.all.size < this.size) return Promise.resolve(this.start());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(worker: Worker): void {
    const next = this.waiting.shift();
    if (next) next(worker);
    else this.idle.push(worker);
  }

  private start(): Worker {
    const child = this.spawnWorker();
    const worker: Worker = { child, exited: false };
    this.all.add(worker);
    child.stdin.on('error', () => {}); // a dead child's pipe: handled by 'exit'
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => {
      let reply: UnitReply;
      try {
        reply = JSON.parse(line) as UnitReply;
      } catch {
        return; // not a protocol line (a library printing to stdout): ignored
      }
      if (worker.busy && reply.id === worker.busy.request.id) worker.busy.resolve(reply.outs);
    });
    child.on('exit', (code, signal) => {
      worker.exited = true;
      this.all.delete(worker);
      const busy = worker.busy;
      if (busy) {
        const why = `the analysis process stopped (${signal ?? `exit code ${code}`}) while working on this input`;
        busy.resolve(busy.request.files.map((file) => ({ file, error: why })));
      }
      // Someone may be waiting for a worker that will never come back: start a replacement for them.
      if (this.waiting.length) this.waiting.shift()!(this.start());
    });
    return worker;
  }
}

/**
 * The child's side: reads requests from `input`, analyses each with `analyse`, writes one reply line per
 * request. Returns when `input` ends.
 */
export async function serveUnits(
  input: NodeJS.ReadableStream, write: (line: string) => void, analyse: (files: string[]) => Promise<object[]>,
): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const request = JSON.parse(line) as UnitRequest;
    let outs: object[];
    try {
      outs = await analyse(request.files);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      outs = request.files.map((file) => ({ file, error }));
    }
    write(`${JSON.stringify({ id: request.id, outs } satisfies UnitReply)}\n`);
  }
}
