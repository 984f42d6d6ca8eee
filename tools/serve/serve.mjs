#!/usr/bin/env node
// @ts-check
// LungLens static server: zero dependencies, Node >= 18. Copied into dist/ by the build so that
// `node serve.mjs` serves the offline bundle from a USB stick with the headers the app needs
// (COOP/COEP for multi-threaded WASM, CSP, CORP, correct MIME types incl. application/wasm).
//   node serve.mjs [--port 8080] [--host 127.0.0.1] [--root <folder, default: this file's folder>]
import { createServer } from 'node:http';
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

/**
 * Request handler for the folder `root`.
 * @param {string} root
 * @returns {import('node:http').RequestListener}
 */
export function staticHandler(root) {
  const absRoot = path.resolve(root);
  const baseHeaders = securityHeaders();
  return async (req, res) => {
    for (const [k, v] of Object.entries(baseHeaders)) res.setHeader(k, v);
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
 * @returns {{ port: number, host: string, root: string }}
 */
export function parseArgs(argv) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const opts = { port: 8080, host: '127.0.0.1', root: here };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--port' || flag === '-p') opts.port = Number(value());
    else if (flag === '--host') opts.host = String(value());
    else if (flag === '--root') opts.root = path.resolve(String(value()));
    else if (flag === '--help' || flag === '-h') {
      console.log('Usage: node serve.mjs [--port 8080] [--host 127.0.0.1] [--root <folder>]');
      process.exit(0);
    } else throw new Error(`Unknown option ${argv[i]} (try --help)`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new Error(`--port must be an integer 0-65535`);
  }
  return opts;
}

/**
 * Start serving; resolves with the bound address.
 * @param {{ port: number, host: string, root: string }} opts
 * @returns {Promise<{ server: import('node:http').Server, url: string }>}
 */
export function startServer(opts) {
  const server = createServer(staticHandler(opts.root));
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
    if (opts.host !== '127.0.0.1' && opts.host !== 'localhost' && opts.host !== '::1') {
      console.log('Note: browsers enable service workers and threads only on https:// or localhost origins.');
    }
  } catch (err) {
    const e = /** @type {NodeJS.ErrnoException} */ (err);
    console.error(e.code === 'EADDRINUSE' ? `Port in use: ${e.message}. Try --port <another>.` : String(e.message ?? e));
    process.exit(1);
  }
}
