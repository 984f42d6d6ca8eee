import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, startServer } from './serve.mjs';
import { contentSecurityPolicy } from './securityHeaders.mjs';
import { inlineServeScript } from '../vite/offlinePlugin.ts';

let root: string;
let server: Server;
let base: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'lunglens-serve-'));
  mkdirSync(path.join(root, 'assets'));
  mkdirSync(path.join(root, 'models'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(path.join(root, 'assets/app-abc.js'), 'export {};');
  writeFileSync(path.join(root, 'assets/ort.mjs'), 'export {};');
  writeFileSync(path.join(root, 'assets/ort.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(path.join(root, 'models/m.onnx'), Buffer.alloc(10));
  writeFileSync(path.join(os.tmpdir(), 'lunglens-secret.txt'), 'secret');
  ({ server, url: base } = await startServer({ port: 0, host: '127.0.0.1', root }));
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(root, { recursive: true, force: true });
});

const get = (p: string, init?: RequestInit) => fetch(new URL(p, base), init);

describe('serve.mjs', () => {
  it('serves index.html for / with isolation and security headers', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(r.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(r.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(r.headers.get('cache-control')).toBe('no-cache');
  });

  it('uses the right MIME types (wasm, mjs, onnx) and long caching for hashed assets', async () => {
    const wasm = await get('/assets/ort.wasm');
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(wasm.headers.get('cache-control')).toContain('immutable');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));
    expect((await get('/assets/ort.mjs')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get('/models/m.onnx')).headers.get('content-type')).toBe('application/octet-stream');
  });

  it('sends the CSP on every response, not only HTML (workers take it from their script)', async () => {
    expect((await get('/assets/app-abc.js')).headers.get('content-security-policy')).toContain("connect-src 'self'");
  });

  it('404s missing files, falls back to index.html for app routes, refuses writes', async () => {
    expect((await get('/assets/missing.js')).status).toBe(404);
    const route = await get('/some/route');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>x</title>');
    expect((await get('/', { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('never serves files outside its folder', async () => {
    for (const p of ['/../lunglens-secret.txt', '/%2e%2e/lunglens-secret.txt', '/..%2flunglens-secret.txt']) {
      const r = await get(p);
      expect(await r.text()).not.toContain('secret');
    }
  });

  it('parses --port/--host, binds 127.0.0.1 by default', () => {
    expect(parseArgs([])).toMatchObject({ port: 8080, host: '127.0.0.1' });
    expect(parseArgs(['--port', '9000', '--host=0.0.0.0'])).toMatchObject({ port: 9000, host: '0.0.0.0' });
    expect(() => parseArgs(['--port', 'x'])).toThrow(/--port/);
    expect(() => parseArgs(['--bogus'])).toThrow(/Unknown option/);
  });

  it('the bundled copy is one self-contained file (header module inlined)', async () => {
    const bundled = await inlineServeScript();
    expect(bundled).not.toMatch(/from '\.\/securityHeaders\.mjs'/);
    expect(bundled).toContain('function securityHeaders()');
    expect(bundled).toMatch(/^export function startServer/m);
  });
});

describe('serve.mjs --dicomweb', () => {
  it('parses the PACS URL and refuses anything but http(s)', () => {
    expect(parseArgs(['--dicomweb', 'http://u:p@127.0.0.1:8042/dicom-web']).dicomweb?.href).toBe('http://u:p@127.0.0.1:8042/dicom-web');
    expect(() => parseArgs(['--dicomweb', 'ftp://x'])).toThrow(/http:\/\/ or https:\/\//);
    expect(() => parseArgs(['--dicomweb', 'not a url'])).toThrow(/DICOMweb root URL/);
  });

  it('relays /dicom-web/* (path, query, method, body, credentials from the URL) and keeps the CSP on the answer', async () => {
    const { createServer } = await import('node:http');
    const seen: { method?: string; url?: string; auth?: string; body?: string }[] = [];
    const pacs = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'application/dicom+json' });
        res.end('[]');
      });
    });
    await new Promise<void>((r) => pacs.listen(0, '127.0.0.1', () => r()));
    const port = (pacs.address() as { port: number }).port;
    const relay = await startServer({ port: 0, host: '127.0.0.1', root, dicomweb: new URL(`http://lung:lens@127.0.0.1:${port}/pacs/dicom-web/`) });
    try {
      const r = await fetch(new URL('dicom-web/studies?PatientID=7', relay.url));
      expect(r.status).toBe(200);
      expect(r.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
      expect(await r.text()).toBe('[]');
      await fetch(new URL('dicom-web/studies', relay.url), { method: 'POST', body: 'stow-body', headers: { 'content-type': 'multipart/related' } });
      expect(seen).toEqual([
        { method: 'GET', url: '/pacs/dicom-web/studies?PatientID=7', auth: 'Basic ' + Buffer.from('lung:lens').toString('base64'), body: '' },
        { method: 'POST', url: '/pacs/dicom-web/studies', auth: 'Basic ' + Buffer.from('lung:lens').toString('base64'), body: 'stow-body' },
      ]);
      // Without --dicomweb the path is not the app's index.html but a clear 503.
      const plainServer = await get('/dicom-web/studies');
      expect(plainServer.status).toBe(503);
      expect(await plainServer.text()).toMatch(/No PACS configured/);
    } finally {
      relay.server.closeAllConnections();
      relay.server.close();
      pacs.close();
    }
  });
});

describe('serve.mjs marks responses when a PACS is configured', () => {
  it('sends Server-Timing: lunglens-dicomweb with --dicomweb only', async () => {
    expect((await get('/')).headers.get('server-timing')).toBeNull();
    const relay = await startServer({ port: 0, host: '127.0.0.1', root, dicomweb: new URL('http://127.0.0.1:9/dicom-web') });
    try {
      expect((await fetch(relay.url)).headers.get('server-timing')).toBe('lunglens-dicomweb');
    } finally {
      relay.server.closeAllConnections();
      relay.server.close();
    }
  });
});
