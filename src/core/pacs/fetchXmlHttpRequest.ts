/**
 * The part of XMLHttpRequest that dicomweb-client uses, over fetch, for Node (the CLI), which
 * has no XMLHttpRequest. Browsers keep their own. Status 0 means no HTTP answer, as in a browser:
 * a refused connection, the time limit, or a body cut off mid-transfer.
 */
class FetchXmlHttpRequest {
  readyState = 0;
  status = 0;
  response: unknown = null;
  responseText = '';
  responseType = '';
  timeout = 0;
  withCredentials = false;
  onreadystatechange: (() => void) | null = null;
  onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null = null;
  onloadstart: (() => void) | null = null;
  onloadend: (() => void) | null = null;
  private method = 'GET';
  private url = '';
  private readonly headers: Record<string, string> = {};
  private responseHeaders = new Headers();

  open(method: string, url: string): void {
    this.method = method.toUpperCase();
    this.url = url;
    this.readyState = 1;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  getResponseHeader(name: string): string | null {
    return this.responseHeaders.get(name);
  }

  getAllResponseHeaders(): string {
    return [...this.responseHeaders].map(([k, v]) => `${k}: ${v}\r\n`).join('');
  }

  send(body?: ArrayBuffer | string | null): void {
    void this.run(body ?? undefined);
  }

  private async run(body: ArrayBuffer | string | undefined): Promise<void> {
    const controller = new AbortController();
    const timer = this.timeout > 0 ? setTimeout(() => controller.abort(), this.timeout) : undefined;
    this.onloadstart?.();
    try {
      const r = await fetch(this.url, { method: this.method, headers: this.headers, body, signal: controller.signal });
      this.responseHeaders = r.headers;
      const total = Number(r.headers.get('content-length') ?? 0);
      const chunks: Uint8Array[] = [];
      let loaded = 0;
      if (r.body) {
        for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
          chunks.push(chunk);
          loaded += chunk.length;
          this.onprogress?.({ loaded, total, lengthComputable: total > 0 });
        }
      }
      const bytes = new Uint8Array(loaded);
      let at = 0;
      for (const c of chunks) {
        bytes.set(c, at);
        at += c.length;
      }
      this.status = r.status;
      this.responseText = this.responseType === 'arraybuffer' ? '' : new TextDecoder().decode(bytes);
      this.response =
        this.responseType === 'arraybuffer' ? bytes.buffer
        : this.responseType === 'json' ? safeJson(this.responseText)
        : this.responseText;
    } catch {
      this.status = 0;
      this.response = null;
    } finally {
      clearTimeout(timer);
    }
    this.readyState = 4;
    this.onreadystatechange?.();
    this.onloadend?.();
  }
}

function safeJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** Gives Node an XMLHttpRequest for dicomweb-client (a no-op where one exists). */
export function ensureXmlHttpRequest(): void {
  const g = globalThis as { XMLHttpRequest?: unknown };
  if (typeof g.XMLHttpRequest === 'undefined') g.XMLHttpRequest = FetchXmlHttpRequest;
}
