export type PacsErrorCode =
  | 'no-pacs'
  | 'unreachable'
  | 'timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'store-rejected'
  | 'cut-off'
  | 'no-image-series'
  | 'http';

/** A PACS exchange that failed, with the reason in words a user (or the hospital's IT) can act on. */
export class PacsError extends Error {
  constructor(
    readonly code: PacsErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PacsError';
  }
}

/** The shape of dicomweb-client's rejection: an Error carrying the request's status and body. */
interface DicomwebFailure {
  status?: number;
  response?: unknown;
  request?: { responseText?: string; __startedAt?: number };
}

/**
 * Turns a dicomweb-client failure (or a network error) into a PacsError. Status 0 means the
 * browser got no HTTP answer at all: the PACS (or serve.mjs) is down, or the time limit passed.
 */
export function toPacsError(e: unknown, what: string, timeoutMs: number): PacsError {
  if (e instanceof PacsError) return e;
  const f = (e ?? {}) as DicomwebFailure;
  const status = typeof f.status === 'number' ? f.status : 0;
  const body = bodyText(f).slice(0, 300);
  const detail = body ? `: ${body}` : '';
  const startedAt = f.request?.__startedAt;
  switch (true) {
    case status === 0 && startedAt !== undefined && Date.now() - startedAt >= timeoutMs * 0.95:
      return new PacsError('timeout', `${what}: the PACS did not answer within ${Math.round(timeoutMs / 1000)} s.`, 0);
    case status === 0:
      return new PacsError('unreachable', `${what}: no answer from the server (is serve.mjs running, and the PACS up?)${e instanceof Error && e.message !== 'request failed' ? ` — ${e.message}` : ''}.`, 0);
    case status === 401:
      return new PacsError('unauthorized', `${what}: the PACS asks for credentials (401). Give serve.mjs a URL with user:password, or ask IT for access.`, 401);
    case status === 403:
      return new PacsError('forbidden', `${what}: the PACS refused access (403) for this user.`, 403);
    case status === 404:
      return new PacsError('not-found', `${what}: not found on the PACS (404)${detail}.`, 404);
    case status === 502:
      return new PacsError('unreachable', `${what}: ${body || 'the PACS could not be reached'} (502).`, 502);
    case status === 503 && /No PACS configured/.test(body):
      return new PacsError('no-pacs', `${what}: ${body}.`, 503);
    case status === 504:
      return new PacsError('timeout', `${what}: ${body || 'the PACS did not answer in time'} (504).`, 504);
    default:
      return new PacsError('http', `${what}: the PACS answered ${status}${detail}.`, status);
  }
}

function bodyText(f: DicomwebFailure): string {
  const r = f.response;
  if (typeof r === 'string') return r.trim();
  if (r instanceof ArrayBuffer) return new TextDecoder().decode(r).trim();
  if (r && typeof r === 'object') return JSON.stringify(r);
  return (f.request?.responseText ?? '').trim();
}
