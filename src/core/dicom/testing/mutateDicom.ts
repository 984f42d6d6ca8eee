/**
 * Byte-level edits of a DICOM file for robustness tests: change, insert or drop a top-level
 * element, rewrite the meta header's transfer syntax. Works on explicit VR little endian
 * bodies (the shared samples used as seeds and writeSyntheticCtSlice's output). Tests only.
 */
import { dicomParser } from '../dicomParserModule.ts';
import { encodeElement as encodeSynthetic } from './writeSyntheticCtSlice.ts';

const longVrs = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV']);

export interface ElementSpan {
  /** Where the element's tag starts and its value ends. */
  start: number;
  valueStart: number;
  end: number;
  vr: string;
  undefinedLength: boolean;
}

function tagKey(group: number, element: number): string {
  return `x${group.toString(16).padStart(4, '0')}${element.toString(16).padStart(4, '0')}`;
}

/** Position of a top-level element (explicit VR LE), or undefined. */
export function findElement(bytes: Uint8Array, group: number, element: number): ElementSpan | undefined {
  const ds = dicomParser.parseDicom(bytes, { untilTag: tagKey(group, element) });
  const el = ds.elements[tagKey(group, element)];
  if (!el) return undefined;
  const vr = String.fromCharCode(bytes[el.dataOffset - 8], bytes[el.dataOffset - 7]);
  const long = !/^[A-Z]{2}$/.test(String.fromCharCode(bytes[el.dataOffset - 4], bytes[el.dataOffset - 3])) && longVrs.has(vr);
  const start = el.dataOffset - (long ? 12 : 8);
  const undefinedLength = !!el.hadUndefinedLength;
  // For undefined lengths dicomParser's length covers the value up to the delimiter; the delimiter item is 8 bytes more.
  const end = el.dataOffset + el.length + (undefinedLength && vr === 'SQ' ? 8 : 0);
  return { start, valueStart: el.dataOffset, end, vr: long ? vr : String.fromCharCode(bytes[start + 4], bytes[start + 5]), undefinedLength };
}

/** Encodes one explicit VR LE element; `length` overrides the length field (e.g. a lie, or 0xffffffff). */
export function encodeElement(group: number, element: number, vr: string, value: Uint8Array, length?: number): Uint8Array {
  return encodeSynthetic({ group, element, vr, value }, length);
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

export function uint16Value(v: number): Uint8Array {
  return new Uint8Array(new Uint16Array([v]).buffer);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Replaces a top-level element (or inserts it in tag order when absent) with a new encoding. */
export function setElement(bytes: Uint8Array, group: number, element: number, vr: string, value: Uint8Array, length?: number): Uint8Array {
  const encoded = encodeElement(group, element, vr, value, length);
  const span = findElement(bytes, group, element);
  if (span) return concat([bytes.subarray(0, span.start), encoded, bytes.subarray(span.end)]);
  const at = insertionPoint(bytes, group, element);
  return concat([bytes.subarray(0, at), encoded, bytes.subarray(at)]);
}

/** Where an element with this tag belongs: before the first top-level element with a larger tag. */
function insertionPoint(bytes: Uint8Array, group: number, element: number): number {
  const ds = dicomParser.parseDicom(bytes, {});
  const wanted = group * 0x10000 + element;
  let best = bytes.length;
  for (const [key, el] of Object.entries(ds.elements)) {
    const tag = parseInt(key.slice(1), 16);
    if (tag <= wanted || tag >> 16 === 0x0002) continue;
    const long = !/^[A-Z]{2}$/.test(String.fromCharCode(bytes[el.dataOffset - 4], bytes[el.dataOffset - 3]));
    best = Math.min(best, el.dataOffset - (long ? 12 : 8));
  }
  return best;
}

/** Rewrites the meta header's Transfer Syntax UID (and the group length) without touching the body. */
export function setTransferSyntax(bytes: Uint8Array, uid: string): Uint8Array {
  // Both spans from the original: parsing the edited file would read its body with the new syntax.
  const span = findElement(bytes, 0x0002, 0x0010)!;
  const groupLength = findElement(bytes, 0x0002, 0x0000);
  const next = concat([bytes.subarray(0, span.start), encodeElement(0x0002, 0x0010, 'UI', ascii(uid)), bytes.subarray(span.end)]);
  if (groupLength && groupLength.start < span.start) {
    const view = new DataView(next.buffer, next.byteOffset);
    view.setUint32(groupLength.valueStart, view.getUint32(groupLength.valueStart, true) + (next.length - bytes.length), true);
  }
  return next;
}

/** One sequence item of defined length holding `content` (encoded elements). */
export function sequenceItem(content: Uint8Array): Uint8Array {
  return concat([item(0xe000, content.length), content]);
}

/** A sequence nested `depth` levels deep (each item holds the next sequence), undefined lengths throughout. */
export function deepSequence(group: number, element: number, depth: number): Uint8Array {
  const open = concat([encodeElement(group, element, 'SQ', new Uint8Array(0), 0xffffffff), item(0xe000, 0xffffffff)]);
  const close = concat([item(0xe00d, 0), item(0xe0dd, 0)]);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < depth; i++) parts.push(open);
  for (let i = 0; i < depth; i++) parts.push(close);
  return concat(parts);
}

function item(element: number, length: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint16(0, 0xfffe, true);
  v.setUint16(2, element, true);
  v.setUint32(4, length, true);
  return b;
}
