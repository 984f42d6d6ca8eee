/**
 * `--jsonl`: one JSON record per line, written the moment an input finishes, so a crash or a
 * kill after 9,999 images keeps 9,999 answers. All records of one input go out in a single
 * write (a multi-frame file is never half-recorded); the file is opened for appending, and a
 * line cut off by a kill is removed before appending (see `openJsonlOutput`).
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

export interface RecordSink {
  /** Writes every record of one input at once. */
  write(records: readonly object[]): void;
  close(): void;
}

export function jsonlLines(records: readonly object[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** Writes to an already open file descriptor (1 for stdout), synchronously: nothing is buffered in memory. */
export function jsonlSink(fd: number, closeFd = false): RecordSink {
  return {
    write(records) {
      if (records.length) writeAll(fd, jsonlLines(records));
    },
    close() {
      if (closeFd) closeSync(fd);
    },
  };
}

/**
 * Opens FILE for appending (created when missing). When `resume` is false an existing file is
 * emptied first. A last line without its newline (the process was killed mid-write) is cut off.
 */
export function openJsonlOutput(file: string, resume: boolean): RecordSink {
  const fd = openSync(file, resume ? 'a+' : 'w');
  if (resume) dropPartialLastLine(fd);
  return jsonlSink(fd, true);
}

function dropPartialLastLine(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  // Walk back from the end to the last '\n'.
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const i = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (i >= 0) {
      const keep = start + i + 1;
      if (keep < size) ftruncateSync(fd, keep);
      return;
    }
    end = start;
  }
  ftruncateSync(fd, 0); // no complete line at all
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      // stdout to a pipe can be non-blocking: wait for it to drain and try again.
      if ((e as { code?: string }).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}
