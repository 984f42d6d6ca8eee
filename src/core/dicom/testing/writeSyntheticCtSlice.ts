/**
 * A tiny Part 10 writer (Explicit VR Little Endian) for tests and benchmarks: synthetic CT
 * slices with real geometry, so series grouping/sorting and 1,000-file ingestion can be
 * exercised without shipping data. Not a general DICOM writer.
 */

export interface SyntheticElement {
  group: number;
  element: number;
  vr: string;
  /** String values are padded to even length; byte values are written as is. */
  value: string | Uint8Array;
}

export interface SyntheticCtOptions {
  rows?: number;
  columns?: number;
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
  sopClassUID?: string;
  modality?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  /** Image Position (Patient) in mm; omitted when null. Default [0, 0, z=instanceNumber*sliceThickness]. */
  position?: [number, number, number] | null;
  orientation?: [number, number, number, number, number, number] | null;
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  rescaleIntercept?: number;
  rescaleSlope?: number;
  window?: { center: number; width: number };
  /** Stored values (16-bit signed unless the layout below says otherwise); default: a disc whose value encodes the instance number. */
  pixels?: Int16Array | Uint16Array | Uint8Array;
  /** Pixel layout; default 16 allocated, 16 stored, signed, one sample. */
  bitsAllocated?: 8 | 16;
  bitsStored?: number;
  pixelRepresentation?: 0 | 1;
  /** 3 writes an RGB image (interleaved samples, `pixels` holds rows*columns*3 values). */
  samplesPerPixel?: 1 | 3;
  /** Write no Pixel Data (an SR-like object). */
  omitPixelData?: boolean;
  extraElements?: SyntheticElement[];
  /** Transfer Syntax UID written in the meta header (the body is always explicit VR LE). */
  transferSyntaxUID?: string;
}

const explicitLittle = '1.2.840.10008.1.2.1';
const ctImageStorage = '1.2.840.10008.5.1.4.1.1.2';

export function writeSyntheticCtSlice(opts: SyntheticCtOptions = {}): Uint8Array<ArrayBuffer> {
  const rows = opts.rows ?? 64;
  const columns = opts.columns ?? 64;
  const instance = opts.instanceNumber ?? 1;
  const thickness = opts.sliceThickness ?? 1.25;
  const study = opts.studyInstanceUID ?? '2.25.1000';
  const series = opts.seriesInstanceUID ?? '2.25.1000.1';
  const sop = opts.sopInstanceUID ?? `${series}.${instance}`;
  const sopClass = opts.sopClassUID ?? ctImageStorage;
  const position = opts.position === undefined ? [0, 0, instance * thickness] : opts.position;
  const orientation = opts.orientation === undefined ? [1, 0, 0, 0, 1, 0] : opts.orientation;
  const el: SyntheticElement[] = [
    str(0x0008, 0x0016, 'UI', sopClass),
    str(0x0008, 0x0018, 'UI', sop),
    str(0x0008, 0x0060, 'CS', opts.modality ?? 'CT'),
    str(0x0008, 0x103e, 'LO', opts.seriesDescription ?? 'SYNTHETIC CHEST'),
    str(0x0018, 0x0050, 'DS', ds(thickness)),
    str(0x0020, 0x000d, 'UI', study),
    str(0x0020, 0x000e, 'UI', series),
    str(0x0020, 0x0011, 'IS', String(opts.seriesNumber ?? 1)),
    str(0x0020, 0x0013, 'IS', String(instance)),
  ];
  if (position) el.push(str(0x0020, 0x0032, 'DS', position.map(ds).join('\\')));
  if (orientation) el.push(str(0x0020, 0x0037, 'DS', orientation.map(ds).join('\\')));
  if (!opts.omitPixelData) {
    const spacing = opts.pixelSpacing ?? [0.7, 0.7];
    const w = opts.window ?? { center: -600, width: 1500 };
    const samples = opts.samplesPerPixel ?? 1;
    const allocated = opts.bitsAllocated ?? 16;
    const stored = opts.bitsStored ?? allocated;
    el.push(
      us(0x0028, 0x0002, samples),
      str(0x0028, 0x0004, 'CS', samples === 3 ? 'RGB' : 'MONOCHROME2'),
      us(0x0028, 0x0010, rows),
      us(0x0028, 0x0011, columns),
      str(0x0028, 0x0030, 'DS', spacing.map(ds).join('\\')),
      us(0x0028, 0x0100, allocated),
      us(0x0028, 0x0101, stored),
      us(0x0028, 0x0102, stored - 1),
      us(0x0028, 0x0103, opts.pixelRepresentation ?? 1),
      str(0x0028, 0x1050, 'DS', ds(w.center)),
      str(0x0028, 0x1051, 'DS', ds(w.width)),
      str(0x0028, 0x1052, 'DS', ds(opts.rescaleIntercept ?? -1024)),
      str(0x0028, 0x1053, 'DS', ds(opts.rescaleSlope ?? 1)),
    );
    if (samples === 3) el.push(us(0x0028, 0x0006, 0));
    const pixels = opts.pixels ?? defaultPixels(rows, columns, instance);
    if (pixels.length !== rows * columns * samples) throw new Error('pixels must have rows*columns*samplesPerPixel values');
    if (pixels.BYTES_PER_ELEMENT * 8 !== allocated) throw new Error(`pixels must be ${allocated}-bit words`);
    el.push({ group: 0x7fe0, element: 0x0010, vr: allocated === 8 ? 'OB' : 'OW', value: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength) });
  }
  el.push(...(opts.extraElements ?? []));
  el.sort((a, b) => a.group - b.group || a.element - b.element);

  const meta = encodeElements([
    { group: 0x0002, element: 0x0001, vr: 'OB', value: new Uint8Array([0, 1]) },
    str(0x0002, 0x0002, 'UI', sopClass),
    str(0x0002, 0x0003, 'UI', sop),
    str(0x0002, 0x0010, 'UI', opts.transferSyntaxUID ?? explicitLittle),
  ]);
  const groupLength = encodeElements([{ group: 0x0002, element: 0x0000, vr: 'UL', value: u32(meta.length) }]);
  const body = encodeElements(el);
  const out = new Uint8Array(132 + groupLength.length + meta.length + body.length);
  out.set([0x44, 0x49, 0x43, 0x4d], 128); // "DICM"
  out.set(groupLength, 132);
  out.set(meta, 132 + groupLength.length);
  out.set(body, 132 + groupLength.length + meta.length);
  return out;
}

/** Background air (-1000 HU) with a soft-tissue disc whose radius grows with the instance number. */
function defaultPixels(rows: number, columns: number, instance: number): Int16Array {
  const out = new Int16Array(rows * columns);
  const r = Math.min(rows, columns) * (0.2 + 0.02 * (instance % 10));
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const inside = (x - columns / 2) ** 2 + (y - rows / 2) ** 2 < r * r;
      out[y * columns + x] = inside ? 1024 + 40 + (instance % 100) : 24; // stored = HU + 1024
    }
  }
  return out;
}

const longVrs = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV']);

function encodeElements(elements: SyntheticElement[]): Uint8Array {
  const parts = elements.map((e) => encodeElement(e));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** One explicit VR LE element; `lengthField` overrides the length written (tests that lie about lengths). */
export function encodeElement(e: SyntheticElement, lengthField?: number): Uint8Array {
  let value = typeof e.value === 'string' ? ascii(e.value, e.vr === 'UI' ? 0 : 0x20) : e.value;
  if (lengthField === undefined && value.length % 2) {
    const padded = new Uint8Array(value.length + 1);
    padded.set(value);
    value = padded;
  }
  const long = longVrs.has(e.vr);
  const out = new Uint8Array((long ? 12 : 8) + value.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, e.group, true);
  v.setUint16(2, e.element, true);
  out[4] = e.vr.charCodeAt(0);
  out[5] = e.vr.charCodeAt(1);
  if (long) v.setUint32(8, lengthField ?? value.length, true);
  else v.setUint16(6, lengthField ?? value.length, true);
  out.set(value, long ? 12 : 8);
  return out;
}

/** ASCII string padded to even length (UI with NUL, others with space). */
function ascii(s: string, pad: number): Uint8Array {
  const out = new Uint8Array(s.length + (s.length % 2));
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0x7f;
  if (s.length % 2) out[s.length] = pad;
  return out;
}

function str(group: number, element: number, vr: string, value: string): SyntheticElement {
  return { group, element, vr, value };
}

function us(group: number, element: number, value: number): SyntheticElement {
  return { group, element, vr: 'US', value: new Uint8Array(new Uint16Array([value]).buffer) };
}

function u32(value: number): Uint8Array {
  return new Uint8Array(new Uint32Array([value]).buffer);
}

/** DS values are at most 16 characters. */
function ds(v: number): string {
  const s = String(v);
  return s.length <= 16 ? s : v.toPrecision(10);
}
