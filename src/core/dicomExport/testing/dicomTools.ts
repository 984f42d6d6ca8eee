import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

/** dciodvfy (dicom3tools) prints "Error - …" lines for IOD violations; returns them (warnings aside). */
export function dciodvfyErrors(file: string): string[] {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  if (r.error) throw new Error(`dciodvfy did not run (apt-get install dicom3tools): ${r.error.message}`);
  return `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^Error/i.test(l.trim()));
}

/** The full dciodvfy report, for failure messages. */
export function dciodvfyReport(file: string): string {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return `${r.stdout}\n${r.stderr}`;
}

/** pydicom's reading of a SEG or SR (see readBack.py). */
export function readBack<T>(file: string): T {
  const out = execFileSync('/usr/bin/python3', [path.join(import.meta.dirname, 'readBack.py'), file], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return JSON.parse(out) as T;
}
