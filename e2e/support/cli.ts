import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths.ts';

/** Runs `lunglens analyze --json` (the Node twin of the app) and returns its records. */
export function cliAnalyze(files: string[], extra: string[] = []): Record<string, unknown>[] {
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'bin/lunglens.mjs'), 'analyze', ...files, '--json', ...extra], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  return JSON.parse(out) as Record<string, unknown>[];
}
