import { readFile } from 'node:fs/promises';
import { inputsFromPaths } from '../core/ingest/nodeInputs.ts';
import { transferSyntaxName } from '../core/dicom/transferSyntax.ts';
import { inspectBytes, type InspectRecord } from './inspectFile.ts';

const help = `Usage: lunglens inspect <files or folders...> [--json]
  One record per input file (folders are walked recursively): header facts and
  min/max/mean of the modality values (HU for CT) over all frames, padding included.
  Files that cannot be read get ok:false and a named error; the exit code stays 0.
`;

/** `lunglens inspect`: exit 0 even when files fail; 2 on usage errors. */
export async function inspectCommand(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(help);
    return 0;
  }
  const unknown = argv.filter((a) => a.startsWith('-') && a !== '--json');
  const paths = argv.filter((a) => !a.startsWith('-'));
  if (unknown.length || paths.length === 0) {
    process.stderr.write(`${unknown.length ? `lunglens inspect: unknown option ${unknown.join(' ')}\n` : ''}${help}`);
    return 2;
  }
  let inputs;
  try {
    inputs = await inputsFromPaths(paths);
  } catch (e) {
    process.stderr.write(`lunglens inspect: ${(e as Error).message}\n`);
    return 2;
  }
  const records: InspectRecord[] = [];
  for (const input of inputs) {
    // One file at a time: the whole file and its decoded frames are the only things held.
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(input.name));
    } catch (e) {
      records.push({ ...(await inspectBytes(input.name, new Uint8Array(0))), error: { code: 'read-failed', message: (e as Error).message, action: 'Check the path and permissions.' } });
      continue;
    }
    records.push(await inspectBytes(input.name, bytes));
  }
  process.stdout.write(json ? `${JSON.stringify(records, null, 2)}\n` : table(records));
  return 0;
}

function table(records: InspectRecord[]): string {
  const header = ['file', 'modality', 'size', 'frames', 'transfer syntax', 'photometric', 'bits', 'min', 'max', 'mean'];
  const rows = records.map((r) =>
    r.ok
      ? [r.file, r.modality ?? '', `${r.columns}x${r.rows}`, String(r.frames), r.transferSyntax ? transferSyntaxName(r.transferSyntax) : '',
        r.photometric ?? '', String(r.bitsStored), fmt(r.stats?.min), fmt(r.stats?.max), fmt(r.stats?.mean)]
      : [r.file, `ERROR ${r.error?.code}: ${r.error?.message}`, '', '', '', '', '', '', '', ''],
  );
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => (r[1].startsWith('ERROR') && i === 1 ? 0 : r[i].length)))));
  const line = (cells: string[]) =>
    cells[1].startsWith('ERROR') ? `${cells[0].padEnd(widths[0])}  ${cells[1]}` : cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function fmt(v: number | undefined): string {
  return v === undefined ? '' : Number.isInteger(v) ? String(v) : v.toFixed(2);
}
