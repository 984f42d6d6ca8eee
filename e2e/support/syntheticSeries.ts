import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeSyntheticCtSlice } from '../../src/core/dicom/testing/writeSyntheticCtSlice.ts';

/**
 * Writes an N-file synthetic CT series (files named in shuffled order, so sorting must
 * come from the geometry) and returns the file paths.
 */
export function writeSyntheticSeries(count: number, size = 128): { dir: string; files: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lunglens-series-${count}-`));
  const order = Array.from({ length: count }, (_, i) => i + 1);
  let seed = 12345;
  for (let i = order.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const files = order.map((instance, k) => {
    const file = path.join(dir, `IM${String(k).padStart(5, '0')}`);
    fs.writeFileSync(file, writeSyntheticCtSlice({ rows: size, columns: size, instanceNumber: instance, seriesDescription: `synthetic ${count}` }));
    return file;
  });
  return { dir, files };
}
