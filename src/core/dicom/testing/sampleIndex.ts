import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Rows of `dicom-samples/index.csv` (one object a file, keyed by the CSV's column names). */
export function readSampleIndex(samplesDir: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path.join(samplesDir, 'index.csv'), 'utf8').trim().split(/\r?\n/);
  const cols = splitCsvLine(head);
  return lines.map((l) => {
    const cells = splitCsvLine(l);
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
  });
}

/** RFC 4180 line split (quoted cells may contain commas and doubled quotes). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cell); cell = ''; }
    else cell += ch;
  }
  out.push(cell);
  return out;
}
