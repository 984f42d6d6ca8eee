import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, securityHeaders } from '../serve/securityHeaders.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('content security policy', () => {
  it('allows nothing off-origin and no inline or eval script', () => {
    const csp = contentSecurityPolicy();
    const directive = (name: string) => csp.split('; ').find((d) => d.startsWith(name + ' '));
    expect(directive('default-src')).toBe("default-src 'self'");
    expect(directive('connect-src')).toBe("connect-src 'self'");
    expect(directive('script-src')).toBe("script-src 'self' 'wasm-unsafe-eval'");
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(csp).not.toMatch(/https?:|\*|'unsafe-eval'/);
  });

  it('the meta variant leaves out header-only directives', () => {
    const meta = contentSecurityPolicy({ forMeta: true });
    expect(meta).not.toContain('frame-ancestors');
    expect(meta).toContain("connect-src 'self'");
  });

  it('headers include COOP/COEP/CORP for cross-origin isolation', () => {
    expect(securityHeaders()).toMatchObject({
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
  });

  // style-src has no 'unsafe-inline': a static style="..." in a Svelte template is parsed as HTML and
  // would be dropped by the browser. Use class, style:prop={...} or style={...} (set via the CSSOM).
  it('no .svelte template has a static style attribute', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const d of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, d.name);
        if (d.isDirectory()) walk(p);
        else if (d.name.endsWith('.svelte')) {
          const markup = readFileSync(p, 'utf8').replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, '');
          for (const m of markup.matchAll(/\sstyle="([^"]*)"/g)) if (!m[1].includes('{')) offenders.push(`${path.relative(repoRoot, p)}: ${m[0].trim()}`);
        }
      }
    };
    walk(path.join(repoRoot, 'src'));
    expect(offenders).toEqual([]);
  });
});
