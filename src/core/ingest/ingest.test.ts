import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { ingest } from './ingest.ts';
import type { IngestInput } from './ingestInput.ts';
import { inputsFromPaths } from './nodeInputs.ts';
import { writeSyntheticCtSlice, type SyntheticCtOptions } from '../dicom/testing/writeSyntheticCtSlice.ts';
import { decodeSlice } from '../series/decodeSlice.ts';

const samples = path.resolve(import.meta.dirname, '../../../../shared/data/dicom-samples');

function memoryInput(name: string, bytes: Uint8Array): IngestInput {
  return { name, size: bytes.length, read: async () => bytes.slice().buffer };
}

/** Deterministic shuffle (LCG) so a failure is reproducible. */
function shuffle<T>(items: T[], seed = 7): T[] {
  const out = items.slice();
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const slice = (o: SyntheticCtOptions) => writeSyntheticCtSlice({ rows: 16, columns: 16, ...o });

describe('ingest: grouping and sorting', () => {
  it('groups two interleaved series and sorts by position along the normal, not by name or instance', async () => {
    const inputs: IngestInput[] = [];
    // Series A: axial, z decreasing with instance number (so position order != instance order).
    for (let i = 1; i <= 12; i++) {
      inputs.push(memoryInput(`a/${String(i).padStart(3, '0')}.dcm`, slice({ seriesInstanceUID: '2.25.9.1', seriesNumber: 2, instanceNumber: i, position: [0, 0, 100 - 2.5 * i] })));
    }
    // Series B: sagittal (normal = x), positions along x.
    for (let i = 1; i <= 8; i++) {
      inputs.push(memoryInput(`b/${i}.dcm`, slice({ seriesInstanceUID: '2.25.9.2', seriesNumber: 3, instanceNumber: 9 - i, position: [i * 3, 5, 7], orientation: [0, 1, 0, 0, 0, -1] })));
    }
    const progress: number[] = [];
    const result = await ingest(shuffle(inputs), (p) => progress.push(p.done), { concurrency: 3 });
    expect(result.errors).toEqual([]);
    expect(progress).toHaveLength(20);
    expect(progress.at(-1)).toBe(20);
    expect(result.series.map((s) => [s.seriesInstanceUID, s.slices.length])).toEqual([['2.25.9.1', 12], ['2.25.9.2', 8]]);
    const zs = result.series[0].slices.map((s) => s.header.imagePositionPatient![2]);
    expect(zs).toEqual([...zs].sort((a, b) => a - b));
    expect(result.series[0].slices.map((s) => s.header.instanceNumber)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    // Sagittal: normal = row x col = (0,1,0) x (0,0,-1) = (-1,0,0): ascending projection = descending x.
    const xs = result.series[1].slices.map((s) => s.header.imagePositionPatient![0]);
    expect(xs).toEqual([24, 21, 18, 15, 12, 9, 6, 3]);
  });

  it('falls back to Instance Number when positions are missing', async () => {
    const inputs = [5, 1, 4, 2, 3].map((i) => memoryInput(`n${i}.dcm`, slice({ seriesInstanceUID: '2.25.8', instanceNumber: i, position: null, orientation: null })));
    const result = await ingest(inputs);
    expect(result.series).toHaveLength(1);
    expect(result.series[0].slices.map((s) => s.header.instanceNumber)).toEqual([1, 2, 3, 4, 5]);
  });

  it('makes PNG/JPEG one-image series, skips OS clutter, and names errors for bad files', async () => {
    const png = encodePng({ width: 3, height: 2, data: new Uint8Array([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 10, 20, 30]), channels: 3, depth: 8 });
    const inputs = [
      memoryInput('xray.png', png),
      memoryInput('.DS_Store', new Uint8Array([1, 2, 3])),
      memoryInput('notes.txt', new TextEncoder().encode('hello, not an image at all'.repeat(10))),
      memoryInput('ct.dcm', slice({})),
    ];
    const result = await ingest(inputs);
    expect(result.series.map((s) => s.kind).sort()).toEqual(['dicom', 'png']);
    expect(result.errors.map((e) => [e.file, e.code])).toEqual([['notes.txt', 'not-dicom']]);
    expect(result.errors[0].action).toMatch(/DICOM, PNG or JPEG/);
    const pngSeries = result.series.find((s) => s.kind === 'png')!;
    expect(pngSeries.slices[0].header).toMatchObject({ rows: 2, columns: 3 });
    const image = await decodeSlice(pngSeries.slices[0]);
    // PIL convert('L'): (r*19595 + g*38470 + b*7471 + 0x8000) >> 16
    const luma = (r: number, g: number, b: number) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
    expect(Array.from(image.pixels)).toEqual([0, 76, 150, 29, 255, luma(10, 20, 30)]);
    expect(luma(10, 20, 30)).toBe(18); // 0.299*10 + 0.587*20 + 0.114*30 = 18.15
  });

  it('decodes a synthetic slice back to HU with its geometry', async () => {
    const bytes = slice({ instanceNumber: 3, position: [1, 2, 3] });
    const result = await ingest([memoryInput('s.dcm', bytes)]);
    const image = await decodeSlice(result.series[0].slices[0]);
    expect(image.imagePositionPatient).toEqual([1, 2, 3]);
    expect(image.pixelSpacingMm).toEqual([0.7, 0.7]);
    expect(image.minValue).toBe(-1000); // air: stored 24 - 1024
    expect(image.maxValue).toBe(40 + 3);
  });
});

describe('named errors for broken inputs', () => {
  const ctFile = path.join(samples, 'ct-chest-transfer-syntaxes/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm');
  const jlsFile = path.join(samples, 'ct-chest-transfer-syntaxes/CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm');
  const j2kFile = path.join(samples, 'ct-chest-transfer-syntaxes/CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm');

  it.skipIf(!existsSync(ctFile))('truncated and garbled copies on disk, non-DICOM, SR, encrypted, unsupported syntax', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lunglens-bad-'));
    mkdirSync(path.join(dir, 'sub'));
    const ct = new Uint8Array(readFileSync(ctFile));
    writeFileSync(path.join(dir, 'half.dcm'), ct.subarray(0, ct.length >> 1)); // pixel data cut
    writeFileSync(path.join(dir, 'head.dcm'), ct.subarray(0, 700)); // cut inside the header
    const garbled = ct.slice();
    for (let i = 0; i < 400; i++) garbled[i] = (i * 131 + 7) & 0xff; // preamble + DICM + meta overwritten
    writeFileSync(path.join(dir, 'garbled.dcm'), garbled);
    writeFileSync(path.join(dir, 'sub/readme.txt'), 'not dicom');
    writeFileSync(path.join(dir, 'sub/sr.dcm'), writeSyntheticCtSlice({ omitPixelData: true, modality: 'SR', sopClassUID: '1.2.840.10008.5.1.4.1.1.88.22' }));
    writeFileSync(path.join(dir, 'sub/pdf.dcm'), writeSyntheticCtSlice({ omitPixelData: true, modality: 'DOC', sopClassUID: '1.2.840.10008.5.1.4.1.1.104.1' }));
    writeFileSync(path.join(dir, 'sub/encrypted.dcm'), writeSyntheticCtSlice({
      rows: 4, columns: 4, extraElements: [{ group: 0x0400, element: 0x0500, vr: 'SQ', value: new Uint8Array(0) }],
    }));
    writeFileSync(path.join(dir, 'sub/htj2k.dcm'), writeSyntheticCtSlice({ rows: 4, columns: 4, transferSyntaxUID: '1.2.840.10008.1.2.4.201' }));
    writeFileSync(path.join(dir, 'ok.dcm'), ct);

    const result = await ingest(await inputsFromPaths([dir]));
    const codes = Object.fromEntries(result.errors.map((e) => [path.relative(dir, e.file), e.code]));
    expect(codes).toEqual({
      'half.dcm': 'truncated',
      'head.dcm': 'truncated',
      'garbled.dcm': 'not-dicom',
      'sub/readme.txt': 'not-dicom',
      'sub/sr.dcm': 'no-pixel-data',
      'sub/pdf.dcm': 'no-pixel-data',
      'sub/encrypted.dcm': 'encrypted',
      'sub/htj2k.dcm': 'unsupported-transfer-syntax',
    });
    const byFile = (f: string) => result.errors.find((e) => e.file.endsWith(f))!;
    expect(byFile('sr.dcm').message).toMatch(/Structured Report/);
    expect(byFile('pdf.dcm').message).toMatch(/PDF/);
    expect(byFile('htj2k.dcm').message).toMatch(/High-Throughput JPEG 2000/);
    expect(result.series).toHaveLength(1);
  });

  it.skipIf(!existsSync(jlsFile))('corrupt compressed pixel data gives decode-failed (not a crash) at decode time', async () => {
    for (const file of [jlsFile, j2kFile]) {
      const bytes = new Uint8Array(readFileSync(file));
      // Wreck the codestream's main header (after SOI / SOC), keeping the DICOM structure intact.
      // (Damage deep inside entropy-coded data is often decoded into noise without any error.)
      const start = findCodestream(bytes);
      expect(start).toBeGreaterThan(0);
      bytes.fill(0x00, start + 2, start + 66);
      const result = await ingest([memoryInput('bad.dcm', bytes)]);
      expect(result.errors).toEqual([]);
      await expect(decodeSlice(result.series[0].slices[0])).rejects.toMatchObject({ code: 'decode-failed' });
    }
  });
});

/** Offset of the first JPEG SOI (FFD8) or J2K SOC (FF4F FF51) in the file. */
function findCodestream(bytes: Uint8Array): number {
  for (let i = 132; i + 3 < bytes.length; i++) {
    if (bytes[i] === 0xff && (bytes[i + 1] === 0xd8 || (bytes[i + 1] === 0x4f && bytes[i + 2] === 0xff && bytes[i + 3] === 0x51))) return i;
  }
  return -1;
}
