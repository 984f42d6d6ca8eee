// @ts-check
// The one place LungLens's HTTP security headers and MIME types are defined.
// Imported by the Vite plugins (meta tag, vite preview headers, service worker) and inlined into
// dist/serve.mjs at build time, so every way of serving the app sends the same policy.
// Plain JavaScript on purpose: dist/serve.mjs must run on bare Node >= 18 with no build step.

/**
 * Content-Security-Policy directives. Why each source is allowed:
 * - script-src 'wasm-unsafe-eval': WebAssembly.compile/instantiate (onnxruntime-web, DICOM codecs).
 *   No 'unsafe-eval': nothing we ship calls eval/new Function on the paths we use.
 * - worker-src 'self': the decode/inference module workers and onnxruntime-web's pthread workers
 *   are same-origin scripts (ORT only falls back to blob: workers for cross-origin script URLs).
 * - img-src data: blob:: canvas exports / object URLs of PNG downloads.
 * - style-src 'self' only: Svelte emits component CSS as files, and Svelte 5 `style:`/`style={...}`
 *   and cornerstone set element.style through the CSSOM, which CSP does not restrict. A *static*
 *   `style="..."` attribute in a .svelte template would be blocked (it is parsed as HTML) — the
 *   unit test in tools/vite/cspPlugin.test.ts forbids them.
 * - connect-src 'self': the promise that nothing leaves the device, enforced by the browser.
 * @type {ReadonlyArray<readonly [string, string]>}
 */
const cspDirectives = [
  ['default-src', "'self'"],
  ['script-src', "'self' 'wasm-unsafe-eval'"],
  ['worker-src', "'self'"],
  ['connect-src', "'self'"],
  ['img-src', "'self' data: blob:"],
  ['style-src', "'self'"],
  ['font-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'self'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** Directives a `<meta http-equiv>` policy may not carry (browsers ignore them there and warn). */
const headerOnlyDirectives = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

/**
 * The policy as one string.
 * @param {{ forMeta?: boolean }} [options] forMeta drops header-only directives.
 * @returns {string}
 */
export function contentSecurityPolicy(options = {}) {
  return cspDirectives
    .filter(([name]) => !(options.forMeta && headerOnlyDirectives.has(name)))
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/**
 * Headers every response of the app carries. COOP + COEP make the page cross-origin isolated
 * (SharedArrayBuffer → multi-threaded WASM); CORP lets our own resources load under COEP.
 * The CSP goes on every response, not only HTML: workers take their policy from their own script.
 * @returns {Record<string, string>}
 */
export function securityHeaders() {
  return {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
  };
}

/** @type {Readonly<Record<string, string>>} lower-case extension (with dot) → Content-Type */
export const mimeTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.woff2': 'font/woff2',
};
