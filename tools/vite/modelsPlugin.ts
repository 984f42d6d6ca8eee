// Serves the repo's model folders at fixed URLs in `vite dev` / `vite preview` and copies them into
// dist/ at build, so the app fetches models same-origin (COOP/COEP-safe) with sensible content types:
//   models/                -> /models/                 (manifest.json, files it lists, cards)
//   e2e/fixtures/runtime/  -> /e2e/fixtures/runtime/   (tiny test models for the runtime self-test page)
// Only the manifest, the files it lists, cards and README are copied: stray training outputs never ship.
import { createReadStream, existsSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connect, Plugin, ResolvedConfig } from 'vite';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ModelMount {
  /** URL prefix with leading and trailing slash. */
  url: string;
  /** Folder relative to the repo root (holds manifest.json). */
  dir: string;
}

const defaultMounts: ModelMount[] = [
  { url: '/models/', dir: 'models' },
  { url: '/e2e/fixtures/runtime/', dir: 'e2e/fixtures/runtime' },
];

const CONTENT_TYPES: Record<string, string> = {
  '.onnx': 'application/octet-stream',
  '.ort': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.data': 'application/octet-stream',
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.png': 'image/png',
};

/** Manifest + every file it lists + cards + README/CARD/reference files, relative to the mount dir. */
export async function filesToPublish(dir: string): Promise<string[]> {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) return [];
  const manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as {
    models?: { files?: { path: string }[]; card?: string }[];
  };
  const out = new Set<string>(['manifest.json']);
  for (const m of manifest.models ?? []) {
    for (const f of m.files ?? []) if (existsSync(path.join(dir, f.path))) out.add(f.path);
    if (m.card && existsSync(path.join(dir, m.card))) out.add(m.card);
  }
  for (const extra of ['README.md', 'reference.json', 'bad-manifest.json']) if (existsSync(path.join(dir, extra))) out.add(extra);
  // Card images sit beside CARD.md files.
  for (const card of [...out].filter((p) => p.endsWith('CARD.md'))) {
    const cardDir = path.join(dir, path.dirname(card));
    for (const f of await fs.readdir(cardDir)) if (f.endsWith('.png')) out.add(path.join(path.dirname(card), f));
  }
  return [...out].sort();
}

function middleware(mounts: ModelMount[], rootFor: (m: ModelMount) => string): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = decodeURIComponent((req.url ?? '').split('?')[0]);
    const mount = mounts.find((m) => url.startsWith(m.url));
    if (!mount || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    const root = rootFor(mount);
    const file = path.resolve(root, url.slice(mount.url.length));
    if (!file.startsWith(root + path.sep)) return next();
    if (!existsSync(file) || !statSync(file).isFile()) {
      // Leave .html/.ts (the self-test page) to Vite; model files that are absent are a real 404.
      if (/\.(html|ts|js|mjs)$/.test(file)) return next();
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`Not found: ${url}`);
      return;
    }
    if (/\.(html|ts|js|mjs)$/.test(file)) return next();
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', String(statSync(file).size));
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    // Models are verified by hash and cached by the app; the HTTP cache must not serve a stale manifest.
    res.setHeader('Cache-Control', url.endsWith('manifest.json') ? 'no-cache' : 'public, max-age=0, must-revalidate');
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  };
}

export function modelsPlugin(mounts: ModelMount[] = defaultMounts): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'lunglens-models',
    configResolved(c) {
      config = c;
    },
    configureServer(server) {
      server.middlewares.use(middleware(mounts, (m) => path.join(repoRoot, m.dir)));
    },
    configurePreviewServer(server) {
      // preview serves what the build copied, so it shows exactly what ships
      server.middlewares.use(middleware(mounts, (m) => path.resolve(config.root, config.build.outDir, m.url.slice(1, -1))));
    },
    async writeBundle() {
      const outDir = path.resolve(config.root, config.build.outDir);
      for (const m of mounts) {
        const src = path.join(repoRoot, m.dir);
        const dst = path.join(outDir, m.url.slice(1));
        for (const rel of await filesToPublish(src)) {
          await fs.mkdir(path.dirname(path.join(dst, rel)), { recursive: true });
          await fs.copyFile(path.join(src, rel), path.join(dst, rel));
        }
      }
    },
  };
}
