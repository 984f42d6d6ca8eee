import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { IngestInput } from './ingestInput.ts';

/**
 * Node adapter: files or folders (recursive) → IngestInput. Files are read only when
 * ingestion reaches them. Names are paths as the user typed them (joined for folder members).
 */
export async function inputsFromPaths(paths: string[]): Promise<IngestInput[]> {
  const out: IngestInput[] = [];
  for (const p of paths) await collect(p, out);
  return out;
}

async function collect(p: string, out: IngestInput[]): Promise<void> {
  const s = await stat(p);
  if (s.isDirectory()) {
    const names = (await readdir(p)).sort();
    for (const name of names) await collect(path.join(p, name), out);
  } else if (s.isFile()) {
    out.push({
      name: p,
      size: s.size,
      read: async () => {
        const buf = await readFile(p);
        return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
      },
    });
  }
}
