// Nothing leaves the device: every request of the page, its workers and its service worker is
// recorded while real DICOM files are opened, viewed (and, once the analysis UI exists, analysed
// and exported). Any request to another origin is aborted and fails the test; none may be a
// POST/PUT or carry a file name or pixel bytes.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Request } from '@playwright/test';
import { collectPageErrors, openFiles } from './support/app.ts';
import { viewAllSeries } from './support/viewAllSeries.ts';
import { analyseSeries } from './support/analyseSeries.ts';
import { dicomSamples } from './support/paths.ts';

// These specs are about the service worker: let it run (the config blocks it elsewhere).
test.use({ serviceWorkers: 'allow' });

const files = [
  'covid19-ny-sbu-ct/A002304_axial_19001231-076.dcm',
  'covid19-ny-sbu-ct/A002304_axial_19010112-135.dcm',
  'ct-chest-transfer-syntaxes/CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm',
  'ct-chest-transfer-syntaxes/CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm',
  'ct-chest-transfer-syntaxes/CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm',
  'cr-dx-chest/gdcm-CR-MONO1-10-chest.dcm',
  'cr-dx-chest/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm',
].map((f) => path.join(dicomSamples, f));

/** Strings that must never appear in a request: file names (with and without extension) and folder names. */
function secretsOf(paths: string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const base = path.basename(p);
    out.add(base);
    out.add(base.replace(/\.dcm$/i, ''));
    out.add(path.basename(path.dirname(p)));
  }
  return [...out].filter((s) => s.length >= 8);
}

/** 64-byte windows from the end of each file (pixel data sits at the end of a DICOM file). */
function pixelProbes(paths: string[]): Buffer[] {
  return paths.map((p) => {
    const b = fs.readFileSync(p);
    return b.subarray(b.length - 96, b.length - 32);
  });
}

interface Recorded {
  url: string;
  method: string;
  /** Playwright attributes dedicated-worker requests to the page; the service worker's are its own. */
  from: 'page or worker' | 'service-worker';
  headers: Record<string, string>;
  body: Buffer | null;
}

test('every request stays on this origin, is a GET/HEAD and carries no file name or pixel data', async ({ page, context, baseURL }) => {
  test.setTimeout(600_000); // every analysis on every series, on a shared 2-core machine
  const origin = new URL(baseURL!).origin;
  const errors = collectPageErrors(page);
  const recorded: Recorded[] = [];
  const offOrigin: string[] = [];

  const record = (r: Request) => {
    const from = r.serviceWorker() ? 'service-worker' : 'page or worker';
    recorded.push({ url: r.url(), method: r.method(), from, headers: r.headers(), body: r.postDataBuffer() });
  };
  // Context-level: the page, its dedicated workers and the service worker.
  context.on('request', record);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isSameOrigin(url, origin)) return route.continue();
    offOrigin.push(`${route.request().method()} ${url}`);
    return route.abort('blockedbyclient');
  });

  await page.goto('/');
  await openFiles(page, files);
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(await viewAllSeries(page)).toBeGreaterThanOrEqual(files.length);

  // Every analysis and every export (activates once models are installed and the button is enabled).
  const walk = await analyseSeries(page);
  for (const url of walk.downloads) expect(url, 'exports are built in the page, not fetched').toMatch(/^(blob|data):/);
  if (walk.analysed > 0) await expect(page.getByTestId('report-json')).not.toHaveText('');
  else test.info().annotations.push({ type: 'pending', description: `no analysis could run: ${walk.skipped.join(' | ')}` });
  // Let the service worker finish precaching so its requests are recorded too.
  await expect(page.getByTestId('offline-status'), 'the app registers its service worker (OfflineStatus in the header)')
    .toHaveAttribute('data-state', 'ready', { timeout: 150_000 });

  expect(offOrigin, 'requests to other origins').toEqual([]);
  expect(recorded.length).toBeGreaterThan(0);
  const secrets = secretsOf(files);
  const probes = pixelProbes(files);
  for (const r of recorded) {
    const where = `${r.from} ${r.method} ${r.url}`;
    expect(isSameOrigin(r.url, origin), `${where}: other origin`).toBe(true);
    expect(['GET', 'HEAD'], `${where}: only GET/HEAD allowed`).toContain(r.method);
    expect(r.url.length, `${where}: suspiciously long URL`).toBeLessThan(512);
    const text = decodeURIComponent(r.url) + JSON.stringify(r.headers);
    for (const s of secrets) expect(text.includes(s), `${where}: carries "${s}"`).toBe(false);
    if (r.body) {
      for (const s of secrets) expect(r.body.includes(s), `${where}: body carries "${s}"`).toBe(false);
      for (const p of probes) expect(r.body.includes(p), `${where}: body carries pixel bytes`).toBe(false);
    }
  }
  const byKind = (k: Recorded['from']) => recorded.filter((r) => r.from === k).length;
  if (process.env.LUNGLENS_PRINT_REQUESTS) for (const r of recorded) console.log(r.from, r.method, r.url);
  test.info().annotations.push({
    type: 'requests',
    description: `${recorded.length} recorded: page and workers ${byKind('page or worker')}, service worker ${byKind('service-worker')}`,
  });
  // The JPEG 2000 codec is fetched inside the decode worker: proof that worker traffic is recorded.
  expect(recorded.some((r) => r.from !== 'service-worker' && /openjpegwasm[^/]*\.wasm$/.test(r.url)), 'decode-worker requests were recorded').toBe(true);
  // The production build registers a service worker; its precache traffic must have been seen.
  expect(byKind('service-worker'), 'service worker requests were recorded').toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

function isSameOrigin(url: string, origin: string): boolean {
  if (url.startsWith('data:')) return true; // inline data, no network
  if (url.startsWith('blob:')) return url.startsWith(`blob:${origin}/`);
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

