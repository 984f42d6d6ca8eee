import fs from 'node:fs';
import path from 'node:path';
import { dicomSamples } from './paths.ts';

export interface SampleRow {
  file: string;
  absPath: string;
  modality: string;
  photometric: string;
  rows: number;
  frames: number;
  transferSyntax: string;
}

/** Rows of dicom-samples/index.csv (a tiny CSV reader: quoted fields with commas). */
export function readSampleIndex(): SampleRow[] {
  const text = fs.readFileSync(path.join(dicomSamples, 'index.csv'), 'utf8');
  const [header, ...lines] = text.trim().split(/\r?\n/).map(parseCsvLine);
  const col = (name: string) => header.indexOf(name);
  return lines.map((f) => ({
    file: f[col('file')],
    absPath: path.join(dicomSamples, f[col('file')]),
    modality: f[col('modality')],
    photometric: f[col('photometric')],
    rows: Number(f[col('rows')] || 0),
    frames: Number(f[col('frames')] || 0),
    transferSyntax: f[col('transfer_syntax')],
  }));
}

/** Sample files that hold an image (index.csv gives them a size). */
export function imageSamples(): SampleRow[] {
  return readSampleIndex().filter((r) => r.file.endsWith('.dcm') && r.rows > 0);
}

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}
