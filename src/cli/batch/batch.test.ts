import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { csvCell, csvLine, openCsvOutput } from './csvOutput.ts';
import { expandInputs, parseFileList, readFileList } from './expandInputs.ts';
import { jsonlLines, openJsonlOutput } from './jsonlOutput.ts';
import { formatDuration, ProgressLine, progressText, summaryText } from './progressLine.ts';
import { answeredInputs } from './resumeState.ts';
import { inShard, parseShard, selectShard } from './shard.ts';
import { spawn } from 'node:child_process';
import { ProcessPool } from './processPool.ts';
import { commandLineBytes } from './shortCommandLine.ts';
import { runPool } from './workPool.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'lunglens-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('expandInputs', () => {
  it('walks folders recursively in sorted order, keeps files as given, names each file once', async () => {
    const root = path.join(dir, 'cohort');
    mkdirSync(path.join(root, 'b', 'deep'), { recursive: true });
    mkdirSync(path.join(root, 'a'));
    for (const f of ['z.dcm', 'a/2.png', 'a/1.png', 'b/deep/x.dcm', 'b/y.dcm']) writeFileSync(path.join(root, f), 'x');
    symlinkSync(path.join(root, 'a'), path.join(root, 'link-to-a')); // folder links are not followed
    const { files, problems } = await expandInputs([root, path.join(root, 'z.dcm'), path.join(root, 'missing.dcm')]);
    expect(files.map((f) => path.relative(root, f))).toEqual(['z.dcm', 'a/1.png', 'a/2.png', 'b/y.dcm', 'b/deep/x.dcm']);
    expect(problems).toEqual([{ path: path.join(root, 'missing.dcm'), error: 'No such file or folder.' }]);
  });

  it('reads --files-from lists: lines (LF or CRLF), NUL-separated, blank entries skipped, stdin', async () => {
    expect(parseFileList('a.dcm\r\nb c.dcm\n\n d.dcm\n')).toEqual(['a.dcm', 'b c.dcm', ' d.dcm']);
    expect(parseFileList('a\nb.dcm\0c.dcm\0')).toEqual(['a\nb.dcm', 'c.dcm']);
    const listFile = path.join(dir, 'list.txt');
    writeFileSync(listFile, 'one\ntwo\n');
    expect(await readFileList(listFile)).toEqual(['one', 'two']);
    expect(await readFileList('-', Readable.from([Buffer.from('x.dcm\ny'), Buffer.from('.dcm\n')]))).toEqual(['x.dcm', 'y.dcm']);
  });
});

describe('shard', () => {
  const files = Array.from({ length: 3000 }, (_, i) => `cohort/patient-${i % 97}/image-${i}.dcm`);

  it('K/N for K = 1..N covers every input exactly once, about evenly', () => {
    for (const n of [1, 2, 3, 8]) {
      const shards = Array.from({ length: n }, (_, k) => selectShard(files, parseShard(`${k + 1}/${n}`)));
      const all = shards.flat();
      expect(all.length).toBe(files.length);
      expect(new Set(all).size).toBe(files.length);
      for (const s of shards) expect(Math.abs(s.length - files.length / n)).toBeLessThan((files.length / n) * 0.15);
    }
  });

  it('depends only on the path, not on the order or the other inputs', () => {
    const shard = parseShard('2/3');
    const reversed = [...files].reverse();
    expect(selectShard(reversed, shard).sort()).toEqual(selectShard(files, shard).sort());
    expect(inShard(files[5], shard)).toBe(selectShard([files[5]], shard).length === 1);
  });

  it('rejects malformed values with the expected form', () => {
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1', '1/2/3', '-1/2']) expect(() => parseShard(bad)).toThrow(/K\/N/);
  });
});

describe('JSONL output and --resume', () => {
  it('writes one line per record and reads back which inputs were answered', async () => {
    const file = path.join(dir, 'out.jsonl');
    const sink = openJsonlOutput(file, false);
    sink.write([{ file: 'a.dcm', frame: 0 }, { file: 'a.dcm', frame: 1 }]);
    sink.write([{ file: 'b.png', error: 'Not a DICOM file' }]);
    sink.close();
    expect(readFileSync(file, 'utf8')).toBe(jsonlLines([{ file: 'a.dcm', frame: 0 }, { file: 'a.dcm', frame: 1 }, { file: 'b.png', error: 'Not a DICOM file' }]));
    expect([...(await answeredInputs(file))]).toEqual(['a.dcm', 'b.png']);
  });

  it('a line cut off by a kill is not an answer and is removed before appending', async () => {
    const file = path.join(dir, 'killed.jsonl');
    writeFileSync(file, '{"file":"a.dcm","ok":1}\n{"file":"b.dc');
    expect([...(await answeredInputs(file))]).toEqual(['a.dcm']);
    const sink = openJsonlOutput(file, true);
    sink.write([{ file: 'b.dcm', ok: 2 }]);
    sink.close();
    expect(readFileSync(file, 'utf8')).toBe('{"file":"a.dcm","ok":1}\n{"file":"b.dcm","ok":2}\n');
  });

  it('without --resume an existing output is replaced; a missing one means nothing answered', async () => {
    const file = path.join(dir, 'replaced.jsonl');
    writeFileSync(file, '{"file":"old"}\n');
    openJsonlOutput(file, false).close();
    expect(readFileSync(file, 'utf8')).toBe('');
    expect((await answeredInputs(path.join(dir, 'none.jsonl'))).size).toBe(0);
  });
});

describe('runPool (--jobs)', () => {
  it('never runs more than N tasks at once, pulls inputs lazily, reports every outcome', async () => {
    let running = 0;
    let peak = 0;
    let pulled = 0;
    function* items() {
      for (let i = 0; i < 40; i++) {
        pulled++;
        yield i;
      }
    }
    const seen: string[] = [];
    await runPool(items(), 3, async (i) => {
      running++;
      peak = Math.max(peak, running);
      expect(pulled - i).toBeLessThanOrEqual(3); // no read-ahead beyond the free slots
      await new Promise((r) => setTimeout(r, (i * 7) % 5));
      running--;
      if (i % 10 === 9) throw new Error(`bad ${i}`);
      return i * 2;
    }, (i, outcome) => {
      seen.push(outcome.ok ? `${i}:${outcome.value}` : `${i}:${(outcome.error as Error).message}`);
    });
    expect(peak).toBe(3);
    expect(seen.length).toBe(40);
    expect(seen).toContain('9:bad 9');
    expect(seen).toContain('8:16');
  });

  it('stops taking work and rethrows when the result sink fails', async () => {
    const started: number[] = [];
    await expect(runPool([1, 2, 3, 4, 5, 6], 1, async (i) => { started.push(i); return i; }, (i) => {
      if (i === 2) throw new Error('disk full');
    })).rejects.toThrow('disk full');
    expect(started).toEqual([1, 2]);
  });

  it('rejects a job count that is not a positive whole number', async () => {
    await expect(runPool([1], 0, async () => 1, () => {})).rejects.toThrow(/jobs/);
  });
});

describe('progress line and summary', () => {
  it('shows count, rate and ETA', () => {
    expect(progressText({ analysed: 90, failed: 10, skipped: 0 }, 1000, 10)).toBe('100/1,000 inputs · 10 failed · 10/s · ETA 1m30s');
    expect(progressText({ analysed: 0, failed: 0, skipped: 500 }, 1000, 0)).toBe('500/1,000 inputs · 500 skipped · 0.0/s · ETA ?');
    expect(formatDuration(7322)).toBe('2h02m');
  });

  it('draws only on a terminal, at most every interval, and clears itself', () => {
    let t = 0;
    const written: string[] = [];
    const quiet = new ProgressLine({ isTTY: false, write: (s) => written.push(s) }, 10, () => t);
    quiet.update({ analysed: 1, failed: 0, skipped: 0 }, true);
    expect(written).toEqual([]);
    const tty = new ProgressLine({ isTTY: true, write: (s) => written.push(s) }, 10, () => t, 250);
    t = 1000;
    tty.update({ analysed: 1, failed: 0, skipped: 0 });
    t = 1100;
    tty.update({ analysed: 2, failed: 0, skipped: 0 }); // too soon: not drawn
    tty.finish();
    expect(written.length).toBe(2);
    expect(written[0]).toContain('1/10 inputs');
    expect(written[1]).toBe('\r\x1b[2K');
  });

  it('summarises analysed / failed / skipped', () => {
    expect(summaryText({ analysed: 9998, failed: 2, skipped: 0 }, 783)).toBe('lunglens analyze: 9,998 analysed, 2 failed, 0 skipped (already in the output) in 13m03s');
  });
});

describe('CSV output', () => {
  it('quotes cells that need it and appends without a second header', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('');
    expect(csvLine(['x', 1.5, true])).toBe('x,1.5,true\r\n');
    const file = path.join(dir, 'summary.csv');
    const first = openCsvOutput(file, ['file', 'value'], false);
    first.writeRows([['a.dcm', 1]]);
    first.close();
    const again = openCsvOutput(file, ['file', 'value'], true);
    again.writeRows([['b, c.dcm', 2]]);
    again.close();
    expect(readFileSync(file, 'utf8')).toBe('file,value\r\na.dcm,1\r\n"b, c.dcm",2\r\n');
  });
});

describe('short command line', () => {
  it('counts the bytes /proc/self/cmdline would hold', () => {
    expect(commandLineBytes(['node', 'é.dcm'])).toBe(5 + 7);
  });
});

describe('ProcessPool (--jobs N in worker processes)', () => {
  // A stand-in worker speaking the protocol: answers each unit, dies on a file named "crash".
  const workerScript = `
    const rl = require('node:readline').createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      const req = JSON.parse(line);
      if (req.files.some((f) => f.includes('crash'))) process.exit(3);
      process.stdout.write('log line from a library\\n');
      process.stdout.write(JSON.stringify({ id: req.id, outs: req.files.map((f) => ({ file: f, pid: process.pid })) }) + '\\n');
    });`;
  const spawnWorker = () => spawn(process.execPath, ['-e', workerScript], { stdio: ['pipe', 'pipe', 'inherit'] });

  it('spreads units over N processes; a crashing worker costs only its unit, which gets error records', async () => {
    const pool = new ProcessPool(spawnWorker, 2);
    const units = [['a1', 'a2'], ['b'], ['crash-me'], ['c'], ['d'], ['e']];
    const results = await Promise.all(units.map((files) => pool.run(files)));
    await pool.close();
    expect(results[2]).toEqual([{ file: 'crash-me', error: 'the analysis process stopped (exit code 3) while working on this input' }]);
    const ok = results.filter((_, i) => i !== 2).flat() as { file: string; pid: number }[];
    expect(ok.map((r) => r.file)).toEqual(['a1', 'a2', 'b', 'c', 'd', 'e']);
    expect(new Set(ok.map((r) => r.pid)).size).toBeGreaterThanOrEqual(2); // parallel, and a replacement after the crash
  });
});
