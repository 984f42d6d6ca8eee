/**
 * The one request/reply protocol between the main thread and a worker (decode and inference workers):
 * every request carries an id echoed by its reply; a request may report progress before it settles; the
 * worker may broadcast events (not tied to a request). Errors cross as `{name, message, code?, action?}`
 * so the main thread can rebuild the error class the UI names (DecodeError, ModelIntegrityError, ...).
 */

export interface RpcErrorInfo {
  name: string;
  message: string;
  /** DicomErrorCode of decode errors. */
  code?: string;
  /** What the user can do about it. */
  action?: string;
}

/** Worker → main thread. */
export type RpcMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: RpcErrorInfo }
  | { id: number; progress: unknown }
  | { event: string; data: unknown };

/** The Worker surface both sides need, so tests can run a worker's handler in-process. */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

/** Omit distributed over a union of request bodies. */
export type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface RpcClient<Req extends { id: number }> {
  call<T>(body: WithoutId<Req>, options?: { transfer?: Transferable[]; onProgress?: (progress: never) => void }): Promise<T>;
  /** Terminates the worker; requests in flight are rejected with `reason`. */
  dispose(reason: string): void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (progress: never) => void;
}

export function createRpcClient<Req extends { id: number }>(
  worker: WorkerLike,
  opts: {
    /** Rebuilds a worker error (keeps its name / code). */
    toError(info: RpcErrorInfo): Error;
    onEvent?(event: string, data: unknown): void;
  },
): RpcClient<Req> {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  const failAll = (info: RpcErrorInfo) => {
    for (const p of pending.values()) p.reject(opts.toError(info));
    pending.clear();
  };

  worker.onmessage = (event: MessageEvent<RpcMessage>) => {
    const msg = event.data;
    if ('event' in msg) {
      opts.onEvent?.(msg.event, msg.data);
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    if ('progress' in msg) {
      p.onProgress?.(msg.progress as never);
      return;
    }
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(opts.toError(msg.error));
  };
  // A crashed worker fails everything in flight rather than leaving promises hanging.
  worker.onerror = (event) => failAll({ name: 'WorkerError', message: `worker error: ${event.message || 'crashed'}`, action: 'Reload the page and try again.' });

  return {
    call<T>(body: WithoutId<Req>, options: { transfer?: Transferable[]; onProgress?: (progress: never) => void } = {}) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: options.onProgress });
        worker.postMessage({ ...body, id }, options.transfer ?? []);
      });
    },
    dispose(reason) {
      worker.terminate();
      failAll({ name: 'WorkerError', message: reason });
    },
  };
}

/** What a worker-side handler returns: the result and the buffers to transfer with it. */
export interface RpcResult {
  result: unknown;
  transfer?: Transferable[];
}

type Post = (message: RpcMessage, transfer?: Transferable[]) => void;

function errorInfo(e: unknown): RpcErrorInfo {
  const err = e instanceof Error ? e : new Error(String(e));
  const { code, action } = err as Error & { code?: unknown; action?: unknown };
  return {
    name: err.name,
    message: err.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof action === 'string' ? { action } : {}),
  };
}

/**
 * Worker side: answers each request with its handler's result or error. `serial` runs one request at a
 * time (sessions shared by all requests must not interleave); otherwise requests run concurrently.
 * Returns the function that handles one request (what `onmessage` calls; tests call it directly).
 */
export function rpcHandler<Req extends { id: number }>(
  post: Post,
  handle: (request: Req, progress: (p: unknown) => void) => Promise<RpcResult>,
  opts: { serial?: boolean } = {},
): (request: Req) => Promise<void> {
  let chain: Promise<void> = Promise.resolve();
  const answer = async (req: Req) => {
    try {
      const { result, transfer } = await handle(req, (progress) => post({ id: req.id, progress }));
      post({ id: req.id, ok: true, result }, transfer);
    } catch (e) {
      post({ id: req.id, ok: false, error: errorInfo(e) });
    }
  };
  return (req) => (opts.serial ? (chain = chain.then(() => answer(req))) : answer(req));
}

/** Sends an event to the main thread (not tied to a request). */
export function rpcEvent(post: Post, event: string, data: unknown): void {
  post({ event, data });
}
