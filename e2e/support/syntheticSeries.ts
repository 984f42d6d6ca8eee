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

/**
 * An N-slice CT series made from one real slice (HU kept, geometry and UIDs new), so an
 * analysis sees real anatomy on every slice. Slices are shifted by a few pixels each so
 * they are not byte-identical.
 */
export async function writeSeriesFromRealSlice(realFile: string, count: number): Promise<{ dir: string; files: string[] }> {
  const { decodeDicomFile } = await import('../../src/core/dicom/decodeDicom.ts');
  const [image] = await decodeDicomFile(new Uint8Array(fs.readFileSync(realFile)), path.basename(realFile));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lunglens-real-${count}-`));
  const { rows, columns } = image;
  const files: string[] = [];
  for (let k = 0; k < count; k++) {
    const shift = (k % 7) - 3;
    const stored = new Int16Array(rows * columns);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < columns; x++) {
        const sx = Math.min(columns - 1, Math.max(0, x + shift));
        stored[y * columns + x] = Math.round(image.pixels[y * columns + sx]) + 1024;
      }
    }
    const file = path.join(dir, `slice${String(k).padStart(4, '0')}.dcm`);
    fs.writeFileSync(file, writeSyntheticCtSlice({
      rows, columns, instanceNumber: k + 1, pixels: stored, rescaleIntercept: -1024, rescaleSlope: 1,
      pixelSpacing: image.pixelSpacingMm, sliceThickness: 1.25, window: { center: -600, width: 1500 },
      seriesInstanceUID: `2.25.777.${count}`, seriesDescription: `from real slice x${count}`,
    }));
    files.push(file);
  }
  return { dir, files };
}
