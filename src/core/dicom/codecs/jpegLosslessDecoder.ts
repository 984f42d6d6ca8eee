/**
 * JPEG lossless, process 14 (ITU-T T.81 Annex H): the DICOM .57 (any predictor) and .70
 * (predictor 1) syntaxes. Huffman-coded differences, predictors 1-7, point transform,
 * restart intervals, interleaved or one-scan-per-component colour. Written from the standard
 * so every sample, the last one included, is exact (tested against DCMTK and GDCM encodings).
 */
import { DicomError } from '../dicomError.ts';
import { buildHuffmanLookup, JpegEntropyReader, type HuffmanLookup } from './jpegEntropyReader.ts';

export interface LosslessImage {
  width: number;
  height: number;
  components: number;
  precision: number;
  /** Interleaved samples. */
  samples: Uint16Array;
}

interface Frame {
  precision: number;
  height: number;
  width: number;
  componentIds: number[];
}

interface Scan {
  components: { index: number; table: number }[];
  predictor: number;
  pointTransform: number;
}

/** Decodes one JPEG lossless stream. `expectedHeight` stands in when the frame header says 0 lines (DNL). */
export function decodeJpegLosslessStream(data: Uint8Array, expectedHeight?: number): LosslessImage {
  if (data[0] !== 0xff || data[1] !== 0xd8) throw new Error('not a JPEG stream (no SOI marker)');
  const tables: (HuffmanLookup | undefined)[] = [];
  let frame: Frame | undefined;
  let out: Uint16Array | undefined;
  let restartInterval = 0;
  let pos = 2;
  let scans = 0;
  while (pos + 4 <= data.length) {
    if (data[pos] !== 0xff) { pos++; continue; } // padding bits' bytes after a scan, or stray bytes
    const marker = data[pos + 1];
    if (marker === 0xff) { pos++; continue; } // fill byte
    if (marker === 0xd9) break; // EOI
    const length = (data[pos + 2] << 8) | data[pos + 3];
    const body = data.subarray(pos + 4, pos + 2 + length);
    if (length < 2 || pos + 2 + length > data.length) throw new DicomError('truncated', 'JPEG lossless stream: a marker segment runs past the end.');
    pos += 2 + length;
    if (marker === 0xc3) frame = readFrame(body, expectedHeight);
    else if (marker === 0xc4) readHuffmanTables(body, tables);
    else if (marker === 0xdd) restartInterval = (body[0] << 8) | body[1];
    else if (marker === 0xda) {
      if (!frame) throw new Error('scan before the frame header');
      out ??= new Uint16Array(frame.width * frame.height * frame.componentIds.length);
      pos = decodeScan(data, pos, frame, readScan(body, frame), tables, restartInterval, out);
      scans++;
    } else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new Error(`JPEG process SOF${marker - 0xc0} is not lossless process 14`);
    }
    // APPn, COM, DQT, DNL and other segments carry nothing the lossless decode needs.
  }
  if (!frame || !out || scans === 0) throw new DicomError('truncated', 'JPEG lossless stream has no complete frame and scan.');
  return { width: frame.width, height: frame.height, components: frame.componentIds.length, precision: frame.precision, samples: out };
}

function readFrame(b: Uint8Array, expectedHeight?: number): Frame {
  const precision = b[0];
  const height = ((b[1] << 8) | b[2]) || expectedHeight || 0;
  const width = (b[3] << 8) | b[4];
  const count = b[5];
  if (precision < 2 || precision > 16) throw new Error(`JPEG lossless precision ${precision} is outside 2-16`);
  if (!width || !height || !count || b.length < 6 + 3 * count) throw new Error('JPEG lossless frame header is incomplete');
  const componentIds: number[] = [];
  for (let i = 0; i < count; i++) {
    if (b[7 + 3 * i] !== 0x11) throw new Error('JPEG lossless with subsampled components is not supported');
    componentIds.push(b[6 + 3 * i]);
  }
  return { precision, height, width, componentIds };
}

function readHuffmanTables(b: Uint8Array, tables: (HuffmanLookup | undefined)[]): void {
  let p = 0;
  while (p + 17 <= b.length) {
    const id = b[p] & 0x0f;
    const counts = b.subarray(p + 1, p + 17);
    const total = counts.reduce((s, c) => s + c, 0);
    if (p + 17 + total > b.length) throw new DicomError('truncated', 'JPEG Huffman table runs past its segment.');
    tables[id] = buildHuffmanLookup(counts, b.subarray(p + 17, p + 17 + total));
    p += 17 + total;
  }
}

function readScan(b: Uint8Array, frame: Frame): Scan {
  const count = b[0];
  if (!count || b.length < 1 + 2 * count + 3) throw new Error('JPEG scan header is incomplete');
  const components = [];
  for (let i = 0; i < count; i++) {
    const index = frame.componentIds.indexOf(b[1 + 2 * i]);
    if (index < 0) throw new Error(`JPEG scan names unknown component ${b[1 + 2 * i]}`);
    components.push({ index, table: b[2 + 2 * i] >> 4 });
  }
  const predictor = b[1 + 2 * count];
  const pointTransform = b[3 + 2 * count] & 0x0f;
  if (predictor < 1 || predictor > 7) throw new Error(`JPEG lossless predictor ${predictor} is not 1-7`);
  return { components, predictor, pointTransform };
}

/**
 * Undoes the prediction of one scan (T.81 H.1.2.1): the first sample of the scan and of each
 * restart interval is predicted by 2^(P-Pt-1), the rest of that first line by the left
 * neighbour, the first sample of later lines by the one above; differences are modulo 2^16.
 * Returns the position after the scan's entropy-coded data.
 */
function decodeScan(
  data: Uint8Array, start: number, frame: Frame, scan: Scan, tables: (HuffmanLookup | undefined)[],
  restartInterval: number, out: Uint16Array,
): number {
  const { width, height } = frame;
  const stride = frame.componentIds.length;
  const { predictor, pointTransform } = scan;
  const comps = scan.components.map((c) => {
    const table = tables[c.table];
    if (!table) throw new Error(`JPEG scan uses Huffman table ${c.table}, which is not defined`);
    return { offset: c.index, table };
  });
  const initial = 1 << (frame.precision - pointTransform - 1);
  const reader = new JpegEntropyReader(data, start);
  // Samples are kept shifted down by Pt while predicting; shifted up when stored.
  const mask = (1 << (frame.precision - pointTransform)) - 1;
  let mcusLeft = restartInterval || Infinity;
  let firstLine = 0; // row at which the current restart interval began
  let firstColumn = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mcusLeft === 0) {
        if (!reader.restart()) throw new DicomError('truncated', 'JPEG lossless stream: expected restart marker is missing.');
        mcusLeft = restartInterval;
        firstLine = y;
        firstColumn = x;
      }
      mcusLeft--;
      const here = (y * width + x) * stride;
      for (const c of comps) {
        const i = here + c.offset;
        let prediction: number;
        if (y === firstLine && x === firstColumn) prediction = initial;
        else if (y === firstLine) prediction = out[i - stride] >> pointTransform;
        else if (x === 0) prediction = out[i - width * stride] >> pointTransform;
        else {
          const ra = out[i - stride] >> pointTransform;
          const rb = out[i - width * stride] >> pointTransform;
          const rc = out[i - width * stride - stride] >> pointTransform;
          prediction = predict(predictor, ra, rb, rc);
        }
        const diff = reader.receiveDifference(reader.decodeHuffman(c.table));
        out[i] = (((prediction + diff) & 0xffff) & mask) << pointTransform;
      }
      if (reader.overrun) {
        throw new DicomError('truncated', `JPEG lossless stream ends early: no data for the sample at row ${y + 1}, column ${x + 1}.`);
      }
    }
  }
  return reader.pos;
}

function predict(selection: number, ra: number, rb: number, rc: number): number {
  switch (selection) {
    case 1: return ra;
    case 2: return rb;
    case 3: return rc;
    case 4: return ra + rb - rc;
    case 5: return ra + ((rb - rc) >> 1);
    case 6: return rb + ((ra - rc) >> 1);
    default: return (ra + rb) >> 1;
  }
}
