// Content-Security-Policy for the built app: a <meta http-equiv> in every built HTML page (works on
// any static host) and the full header set (with frame-ancestors, which only works as a header) on
// `vite preview`. Not applied to `vite dev`: its HMR client injects <style> elements.
import type { Plugin } from 'vite';
import { contentSecurityPolicy, securityHeaders } from '../serve/securityHeaders.mjs';

export function cspPlugin(): Plugin {
  return {
    name: 'lunglens-csp',
    config() {
      return { preview: { headers: securityHeaders() } };
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        if (ctx.server) return undefined; // dev server
        return [
          {
            tag: 'meta',
            attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy({ forMeta: true }) },
            injectTo: 'head-prepend',
          },
        ];
      },
    },
  };
}
