#!/usr/bin/env node
// @ts-check
// LungLens static server: zero dependencies, Node >= 18. Copied into dist/ by the build so that
// `node serve.mjs` serves the offline bundle from a USB stick with the headers the app needs
// (COOP/COEP for multi-threaded WASM, CSP, CORP, correct MIME types incl. application/wasm).
//   node serve.mjs [--port 8080] [--host 127.0.0.1] [--root <folder, default: this file's folder>]
//                  [--dicomweb <PACS DICOMweb root URL>]
// With --dicomweb, /dicom-web/* on this origin is relayed to the PACS, so the app talks only to its
// own origin (CSP connect-src 'self', no CORS on the PACS) and nothing else leaves the device.
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { securityHeaders, mimeTypes } from './securityHeaders.mjs';

/**
 * @param {string} root absolute folder to serve
 * @param {string} urlPath decoded URL path
 * @returns {string | null} absolute file path inside root, or null when the path escapes it
 */
function resolveInside(root, urlPath) {
  const target = path.resolve(root, '.' + path.posix.normalize('/' + urlPath));
  return target === root || target.startsWith(root + path.sep) ? target : null;
}

/** @param {string} file */
async function fileSize(file) {
  try {
    const s = await fs.stat(file);
    return s.isFile() ? s.size : -1;
  } catch {
    return -1;
  }
}

/** The app's own path for DICOMweb; everything under it goes to the PACS. */
const DICOMWEB_PREFIX = '/dicom-web';
/** Request headers worth passing on to a PACS (never cookies or the browser's own origin headers). */
const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'content-length', 'authorization'];
/** Response headers passed back to the app. */
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'www-authenticate'];

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} message
 */
function plain(res, status, message) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(message + '\n');
}

/**
 * Relays one /dicom-web/* request to the PACS root `target` (credentials in its URL become Basic
 * auth). Unreachable → 502, no answer within `timeoutMs` → 504, each with a message the app shows.
 * @param {URL} target
 * @param {number} timeoutMs
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, rest: string) => void}
 */
function dicomwebProxy(target, timeoutMs = 60_000) {
  const base = target.pathname.replace(/\/+$/, '');
  const auth = target.username ? 'Basic ' + Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64') : undefined;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return (req, res, rest) => {
    /** @type {Record<string, string>} */
    const headers = {};
    for (const h of FORWARDED_REQUEST_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    if (auth) headers.authorization = auth;
    const upstream = send(
      { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: base + rest, headers },
      (up) => {
        /** @type {Record<string, string | string[]>} */
        const back = { 'Cache-Control': 'no-store' };
        for (const h of FORWARDED_RESPONSE_HEADERS) {
          const v = up.headers[h];
          if (v !== undefined) back[h] = v;
        }
        res.writeHead(up.statusCode ?? 502, back);
        up.pipe(res);
        // A PACS that dies mid-transfer must not leave the app waiting: cut the reply too.
        up.on('aborted', () => res.destroy());
        up.on('error', () => res.destroy());
      },
    );
    upstream.setTimeout(timeoutMs, () => upstream.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    upstream.on('error', (err) => {
      const code = /** @type {NodeJS.ErrnoException} */ (err).code ?? '';
      if (code === 'ETIMEDOUT') plain(res, 504, `PACS did not answer within ${Math.round(timeoutMs / 1000)} s`);
      else plain(res, 502, `PACS unreachable (${code || err.message})`);
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  };
}

/**
 * Request handler for the folder `root`; with `options.dicomweb`, /dicom-web/* is relayed there.
 * @param {string} root
 * @param {{ dicomweb?: URL, dicomwebTimeoutMs?: number }} [options]
 * @returns {import('node:http').RequestListener}
 */
export function staticHandler(root, options = {}) {
  const absRoot = path.resolve(root);
  const baseHeaders = securityHeaders();
  const proxy = options.dicomweb ? dicomwebProxy(options.dicomweb, options.dicomwebTimeoutMs) : undefined;
  return async (req, res) => {
    for (const [k, v] of Object.entries(baseHeaders)) res.setHeader(k, v);
    // Tells the app (PerformanceNavigationTiming.serverTiming) that a PACS is behind /dicom-web, so it
    // shows its PACS panel without probing (a probe would fail noisily on hosts without one).
    if (proxy) res.setHeader('Server-Timing', 'lunglens-dicomweb');
    const rawPath = req.url ?? '/';
    if (rawPath === DICOMWEB_PREFIX || rawPath.startsWith(DICOMWEB_PREFIX + '/') || rawPath.startsWith(DICOMWEB_PREFIX + '?')) {
      if (proxy) proxy(req, res, rawPath.slice(DICOMWEB_PREFIX.length));
      else plain(res, 503, 'No PACS configured: start the server with --dicomweb <PACS DICOMweb URL>');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed\n');
      return;
    }
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Bad request\n');
      return;
    }
    if (urlPath.endsWith('/')) urlPath += 'index.html';
    let file = resolveInside(absRoot, urlPath);
    if (file === null) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Forbidden\n');
      return;
    }
    let size = await fileSize(file);
    // Single-page app: extension-less paths that are not files get index.html.
    if (size < 0 && path.extname(urlPath) === '') {
      file = path.join(absRoot, 'index.html');
      size = await fileSize(file);
    }
    if (size < 0) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
      return;
    }
    const rel = path.relative(absRoot, file).split(path.sep).join('/');
    const type = mimeTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    // Content-hashed build assets never change; everything else is revalidated (the service
    // worker script and index.html must be, or updates are never seen).
    const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': String(size), 'Cache-Control': cache });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}

/**
 * @param {string[]} argv
 * @returns {{ port: number, host: string, root: string, dicomweb?: URL }}
 */
export function parseArgs(argv) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  /** @type {{ port: number, host: string, root: string, dicomweb?: URL }} */
  const opts = { port: 8080, host: '127.0.0.1', root: here };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--port' || flag === '-p') opts.port = Number(value());
    else if (flag === '--host') opts.host = String(value());
    else if (flag === '--root') opts.root = path.resolve(String(value()));
    else if (flag === '--dicomweb') opts.dicomweb = dicomwebUrl(String(value()));
    else if (flag === '--help' || flag === '-h') {
      console.log('Usage: node serve.mjs [--port 8080] [--host 127.0.0.1] [--root <folder>] [--dicomweb <PACS DICOMweb URL>]');
      process.exit(0);
    } else throw new Error(`Unknown option ${argv[i]} (try --help)`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new Error(`--port must be an integer 0-65535`);
  }
  return opts;
}

/**
 * @param {string} text
 * @returns {URL}
 */
function dicomwebUrl(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--dicomweb needs the PACS's DICOMweb root URL, e.g. http://127.0.0.1:8042/dicom-web (got "${text}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--dicomweb must be an http:// or https:// URL (got ${url.protocol})`);
  return url;
}

/**
 * Start serving; resolves with the bound address.
 * @param {{ port: number, host: string, root: string, dicomweb?: URL, dicomwebTimeoutMs?: number }} opts
 * @returns {Promise<{ server: import('node:http').Server, url: string }>}
 */
export function startServer(opts) {
  const server = createServer(staticHandler(opts.root, { dicomweb: opts.dicomweb, dicomwebTimeoutMs: opts.dicomwebTimeoutMs }));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({ server, url: `http://${host}:${addr.port}/` });
    });
  });
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    const { url } = await startServer(opts);
    console.log(`LungLens is being served from ${opts.root}`);
    console.log(`Open ${url} in Chrome, Edge or Firefox. Press Ctrl+C to stop.`);
    if (opts.dicomweb) console.log(`PACS: ${url}dicom-web/ is relayed to ${opts.dicomweb.origin}${opts.dicomweb.pathname}`);
    if (opts.host !== '127.0.0.1' && opts.host !== 'localhost' && opts.host !== '::1') {
      console.log('Note: browsers enable service workers and threads only on https:// or localhost origins.');
    }
  } catch (err) {
    const e = /** @type {NodeJS.ErrnoException} */ (err);
    console.error(e.code === 'EADDRINUSE' ? `Port in use: ${e.message}. Try --port <another>.` : String(e.message ?? e));
    process.exit(1);
  }
}
