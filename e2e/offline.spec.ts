// Offline: after one visit, the app starts with no server and no network at all, stays
// cross-origin isolated (the service worker re-adds COOP/COEP), and opens and views real files.
// Served by the bundled dist/serve.mjs on a private port, so "offline" can mean the server is gone,
// not only the browser's offline emulation.
import type { Server } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { collectPageErrors, openFiles } from './support/app.ts';
import { viewAllSeries } from './support/viewAllSeries.ts';
import { analyseSeries } from './support/analyseSeries.ts';
import { dicomSamples, repoRoot } from './support/paths.ts';
import { RUNTIME_MODELS_CACHE } from '../src/core/runtime/modelCache.ts';

// These specs are about the service worker: let it run (the config blocks it elsewhere).
test.use({ serviceWorkers: 'allow' });

// LUNGLENS_DIST: test a copied bundle (e.g. the folder that went onto a USB stick) instead of ./dist.
const dist = process.env.LUNGLENS_DIST ?? path.join(repoRoot, 'dist');

type ServeModule = {
  startServer(o: { port: number; host: string; root: string }): Promise<{ server: Server; url: string }>;
  staticHandler(root: string): import('node:http').RequestListener;
};
const loadServe = async (): Promise<ServeModule> => import(pathToFileURL(path.join(dist, 'serve.mjs')).href);

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections(); // keep-alive sockets would otherwise keep "the network" up
    server.close(() => resolve());
  });
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

/** Waits until the app's service worker is active, has precached everything and controls the page. */
async function waitOfflineReady(page: Page): Promise<void> {
  await expect(page.getByTestId('offline-status')).toHaveAttribute('data-state', 'ready', { timeout: 150_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

/** Precached URLs per the worker's own manifest vs what Cache Storage holds. */
async function missingFromCache(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const missing: string[] = [];
    const names = await caches.keys();
    const shell = names.find((n) => n.startsWith('lunglens-sw-shell-'));
    const models = names.find((n) => n.startsWith('lunglens-sw-models-'));
    if (!shell) return ['(no shell cache)'];
    const swText = await (await caches.open(shell)).keys();
    const cached = new Set(swText.map((r) => r.url));
    if (models) for (const r of await (await caches.open(models)).keys()) cached.add(r.url);
    const sw = await fetch('./sw.js').then((r) => r.text());
    const manifest = JSON.parse(sw.match(/const __LUNGLENS_PRECACHE__ = (.*);\n/)![1]) as {
      shell: { url: string }[];
      models: { url: string }[];
    };
    for (const e of [...manifest.shell, ...manifest.models]) {
      const url = new URL(e.url, location.href).href;
      if (!cached.has(url)) missing.push(url);
    }
    return missing;
  });
}

const sampleFiles = [
  'covid19-ny-sbu-ct/A002304_axial_19010112-135.dcm',
  'ct-chest-transfer-syntaxes/CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm',
  'ct-chest-transfer-syntaxes/CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm',
  'cr-dx-chest/gdcm-CR-MONO1-10-chest.dcm',
].map((f) => path.join(dicomSamples, f));

test('visit once, then with the server stopped and the network off: reload, open, view (and analyse)', async ({ browser }) => {
  test.setTimeout(400_000);
  test.skip(!fs.existsSync(path.join(dist, 'sw.js')), 'run `npx vite build` first');
  const { startServer } = await loadServe();
  const { server, url } = await startServer({ port: 0, host: '127.0.0.1', root: dist });
  const page = await newPage(browser);
  const errors = collectPageErrors(page);
  try {
    await page.goto(url);
    await waitOfflineReady(page);
    expect(await missingFromCache(page)).toEqual([]);
  } finally {
    await stop(server);
  }
  await page.context().setOffline(true);

  const reloaded = await page.reload();
  expect(reloaded?.fromServiceWorker()).toBe(true);
  expect(await page.evaluate(() => crossOriginIsolated), 'COOP/COEP must survive the offline reload').toBe(true);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  await expect(page.getByTestId('offline-status')).toHaveAttribute('data-state', 'ready');

  await openFiles(page, sampleFiles);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  expect(await viewAllSeries(page)).toBeGreaterThanOrEqual(sampleFiles.length);

  // An analysis must also complete offline (models come from the service worker's cache): a CT one.
  const walk = await analyseSeries(page, 1, /^\s*CT/);
  expect(walk.analysed, `a CT analysis completed offline (${walk.skipped.join(' | ')})`).toBe(1);
  await expect(page.getByTestId('report-json')).not.toHaveText('');
  expect(errors).toEqual([]);
  await page.context().close();
});

test('a new version waits for the user: "Reload" activates it, unchanged files are not downloaded again', async ({ browser }) => {
  test.skip(!fs.existsSync(path.join(dist, 'sw.js')), 'run `npx vite build` first');
  const { staticHandler } = await loadServe();
  const serveDist = staticHandler(dist);
  let revision = 0;
  const downloads: string[] = [];
  const http = await import('node:http');
  // dist as built, except that sw.js can be given a new revision (a byte change = a new version).
  const server = http.createServer((req, res) => {
    downloads.push(req.url ?? '');
    if (req.url?.split('?')[0] === '/sw.js' && revision > 0) {
      const text = fs.readFileSync(path.join(dist, 'sw.js'), 'utf8') + `\n// test revision ${revision}\n`;
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-cache' });
      res.end(text);
      return;
    }
    void serveDist(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as import('node:net').AddressInfo).port;
  const page = await newPage(browser);
  try {
    await page.goto(`http://127.0.0.1:${port}/`);
    await waitOfflineReady(page);
    const firstController = await page.evaluate(() => navigator.serviceWorker.controller!.scriptURL);
    expect(firstController).toMatch(/\/sw\.js$/);

    revision = 1;
    downloads.length = 0;
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
    await expect(page.getByTestId('offline-status')).toHaveAttribute('data-state', 'update-available');
    // Same content hashes: the new worker copied every file from the old cache.
    expect(downloads.filter((u) => !u.startsWith('/sw.js'))).toEqual([]);

    const reloaded = page.waitForEvent('load');
    await page.getByTestId('apply-update').click();
    await reloaded;
    await waitOfflineReady(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  } finally {
    await stop(server);
    await page.context().close();
  }
});


test('on a host that sends no isolation headers, the service worker adds them (cross-origin isolated after one reload)', async ({ browser }) => {
  test.skip(!fs.existsSync(path.join(dist, 'sw.js')), 'run `npx vite build` first');
  const { staticHandler } = await loadServe();
  const serveDist = staticHandler(dist);
  const http = await import('node:http');
  // A plain static host: same files, but COOP/COEP/CORP are stripped from every response.
  const server = http.createServer((req, res) => {
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name: string, value: number | string | readonly string[]) =>
      /^cross-origin-/i.test(name) ? res : setHeader(name, value);
    void serveDist(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as import('node:net').AddressInfo).port;
  const page = await newPage(browser);
  try {
    const first = await page.goto(`http://127.0.0.1:${port}/`);
    expect(first!.headers()['cross-origin-embedder-policy']).toBeUndefined();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    await waitOfflineReady(page);
    await page.reload();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  } finally {
    await stop(server);
    await page.context().close();
  }
});

test('settings show the storage used; "Clear cached models" removes the model caches and only those', async ({ browser }) => {
  test.skip(!fs.existsSync(path.join(dist, 'sw.js')), 'run `npx vite build` first');
  const { startServer } = await loadServe();
  const { server, url } = await startServer({ port: 0, host: '127.0.0.1', root: dist });
  const page = await newPage(browser);
  try {
    await page.goto(url);
    await waitOfflineReady(page);
    // A model the runtime downloaded itself (src/core/runtime/modelCache.ts).
    await page.evaluate(async (name) => {
      await (await caches.open(name)).put('/models/x.onnx', new Response('x'));
    }, RUNTIME_MODELS_CACHE);
    await page.getByTestId('settings-button').click();
    await expect(page.getByTestId('storage-usage')).toContainText(/Using \d/);
    await page.getByTestId('clear-models').click();
    await expect(page.getByTestId('storage-settings')).toContainText('Removed cached models');
    const names = await page.evaluate(() => caches.keys());
    expect(names.filter((n) => n.startsWith('lunglens-sw-models-'))).toEqual([]);
    expect(names.some((n) => n.startsWith('lunglens-sw-shell-')), 'the app itself stays available offline').toBe(true);
  } finally {
    await stop(server);
    await page.context().close();
  }
});
