/**
 * Keeps the process command line short, whatever the user typed.
 *
 * Why: onnxruntime-node 1.30 (linux x64) reads /proc/self/cmdline while it creates its
 * environment (OrtEnv, on the first InferenceSession.create) and runs a std::regex over it;
 * libstdc++'s regex matcher recurses once per character, so a command line of about 30 KB
 * (600 paths of 50 characters: any shell glob over a cohort) overflows the 8 MB main-thread
 * stack and the process dies with SIGSEGV before printing anything. Renaming the process
 * (process.title) does not help: the kernel still reports the whole original argv area.
 *
 * So when the arguments are long, the CLI starts itself again with a short command line and
 * hands the real arguments over on an extra pipe (fd 3; stdin stays free for --files-from -).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Above this many bytes of command line the CLI relaunches itself (the crash needs ~30 KB; stacks can be smaller than 8 MB). */
export const MAX_COMMAND_LINE_BYTES = 4096;

/** The flag that tells a relaunched CLI to read its arguments from fd 3. */
export const ARGV_PIPE_FLAG = '--lunglens-argv-from-fd-3';

/** Bytes /proc/self/cmdline has for this argv (each argument NUL-terminated). */
export function commandLineBytes(args: readonly string[]): number {
  let n = 0;
  for (const a of args) n += Buffer.byteLength(a) + 1;
  return n;
}

/** The command line of this process, as the kernel reports it. */
export function currentCommandLine(): string[] {
  return [process.argv0, ...process.execArgv, ...process.argv.slice(1)];
}

/** The user's arguments: from the pipe when relaunched, else from argv. */
export function userArguments(argv: readonly string[]): string[] {
  if (argv[0] !== ARGV_PIPE_FLAG) return [...argv];
  const parsed: unknown = JSON.parse(readFileSync(3, 'utf8'));
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error('lunglens: malformed argument pipe');
  return parsed;
}

/**
 * Runs `script` again in a child node with a short command line, passing `args` on fd 3, and
 * resolves with its exit code (128 + signal number when it was killed). stdio is shared;
 * SIGINT/SIGTERM/SIGHUP reaching this process are passed on.
 */
export function relaunchWithShortCommandLine(script: string, args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, script, ARGV_PIPE_FLAG], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
  });
  const pipe = child.stdio[3] as NodeJS.WritableStream;
  pipe.on('error', () => {}); // a child that exits early closes the pipe; its exit code says why
  pipe.end(JSON.stringify(args));
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code ?? 128 + signalNumber(signal));
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15 };
  return (signal && numbers[signal]) || 1;
}
