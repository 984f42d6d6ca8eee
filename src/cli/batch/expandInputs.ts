/**
 * Command-line inputs → the ordered list of files to process: files as given, folders walked
 * recursively (names sorted, so every run and every shard sees the same order), and the
 * lines of `--files-from FILE` (or `-` for stdin; NUL-separated lists from `find -print0` too).
 * A file named twice is processed once. Walks with an explicit stack: no recursion limit, and
 * only path strings are held, never file contents.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export interface InputProblem {
  path: string;
  error: string;
}

export interface ExpandedInputs {
  files: string[];
  /** Paths that do not exist or cannot be listed: reported as failed inputs, not fatal. */
  problems: InputProblem[];
}

/** Paths listed in a --files-from text: one a line (CRLF ok), or NUL-separated; blank entries skipped. */
export function parseFileList(text: string): string[] {
  const parts = text.includes('\0') ? text.split('\0') : text.split(/\r?\n/);
  return parts.filter((p) => p.trim() !== '');
}

/** Reads a --files-from source: a file path, or `-` for standard input. */
export async function readFileList(source: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<string[]> {
  if (source !== '-') return parseFileList(await readFile(source, 'utf8'));
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return parseFileList(Buffer.concat(chunks).toString('utf8'));
}

export async function expandInputs(paths: readonly string[]): Promise<ExpandedInputs> {
  const files: string[] = [];
  const problems: InputProblem[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    const key = path.resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(file);
  };
  for (const p of paths) {
    let s;
    try {
      s = await stat(p);
    } catch (e) {
      problems.push({ path: p, error: describe(e) });
      continue;
    }
    if (!s.isDirectory()) {
      add(p);
      continue;
    }
    // Depth-first, sorted, without recursion: a folder's files come before its subfolders' in name order.
    const stack = [p];
    while (stack.length) {
      const dir = stack.pop()!;
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        problems.push({ path: dir, error: describe(e) });
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: string[] = [];
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) subdirs.push(full);
        else if (entry.isFile()) add(full);
        else if (entry.isSymbolicLink()) {
          const target = await stat(full).catch(() => undefined);
          if (target?.isFile()) add(full); // links to folders are not followed (no cycles)
        }
      }
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
    }
  }
  return { files, problems };
}

function describe(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return 'No such file or folder.';
  if (code === 'EACCES' || code === 'EPERM') return 'Permission denied.';
  return e instanceof Error ? e.message : String(e);
}
