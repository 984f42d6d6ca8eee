import { dicomParser, type DataSet, type Element } from './dicomParserModule.ts';
import { DicomError } from './dicomError.ts';
import type { ImageHeader } from './readHeader.ts';
import { transferSyntaxInfo } from './transferSyntax.ts';

/** Size in bytes of one native (uncompressed) frame; 1-bit data is packed. */
function nativeFrameBits(h: ImageHeader): number {
  return h.rows * h.columns * h.samplesPerPixel * h.bitsAllocated;
}

/**
 * The bytes of one frame. Native: a slice of Pixel Data (frames may start mid-byte for
 * 1-bit data; the returned `bitOffset` says where). Encapsulated: the frame's fragments
 * joined, found via the Basic Offset Table, one-fragment-per-frame, or frame start markers.
 */
export function frameBytes(dataSet: DataSet, header: ImageHeader, frameIndex: number): { bytes: Uint8Array; bitOffset: number } {
  const el = dataSet.elements.x7fe00010;
  if (!el) throw new DicomError('no-pixel-data', 'No Pixel Data element.');
  if (frameIndex < 0 || frameIndex >= header.numberOfFrames) {
    throw new DicomError('decode-failed', `Frame ${frameIndex} out of range (the object has ${header.numberOfFrames}).`);
  }
  const info = transferSyntaxInfo(header.transferSyntax ?? '');
  const all = dataSet.byteArray as Uint8Array;
  if (!info || info.encoding === 'native') {
    const frameBits = nativeFrameBits(header);
    const startBit = frameBits * frameIndex;
    const start = el.dataOffset + Math.floor(startBit / 8);
    const length = Math.ceil((frameBits + (startBit % 8)) / 8);
    const available = Math.min(el.length, all.length - el.dataOffset);
    if (Math.floor(startBit / 8) + length > available) {
      throw new DicomError('truncated', `Pixel data is truncated: frame ${frameIndex + 1} needs ${length} bytes, ${Math.max(0, available - Math.floor(startBit / 8))} present.`);
    }
    return { bytes: all.subarray(start, start + length), bitOffset: startBit % 8 };
  }
  return { bytes: encapsulatedFrame(dataSet, el, header.numberOfFrames, frameIndex), bitOffset: 0 };
}

function encapsulatedFrame(dataSet: DataSet, el: Element, frames: number, frameIndex: number): Uint8Array {
  const fragments = el.fragments ?? [];
  if (fragments.length === 0) throw new DicomError('truncated', 'Encapsulated pixel data has no fragments.');
  const all = dataSet.byteArray as Uint8Array;
  const fragmentBytes = (i: number) => all.subarray(fragments[i].position, fragments[i].position + fragments[i].length);
  for (const f of fragments) {
    if (f.position + f.length > all.length) throw new DicomError('truncated', 'Pixel data fragment runs past the end of the file.');
  }
  let startFragment: number;
  let endFragment: number; // exclusive
  if (frames === 1) {
    startFragment = 0;
    endFragment = fragments.length;
  } else if (el.basicOffsetTable && el.basicOffsetTable.length === frames) {
    const begin = el.basicOffsetTable[frameIndex];
    const end = frameIndex + 1 < frames ? el.basicOffsetTable[frameIndex + 1] : Infinity;
    startFragment = fragments.findIndex((f) => f.offset === begin);
    endFragment = fragments.findIndex((f) => f.offset >= end);
    if (endFragment < 0) endFragment = fragments.length;
  } else if (fragments.length === frames) {
    startFragment = frameIndex;
    endFragment = frameIndex + 1;
  } else {
    // No usable offset table: a new frame starts at each fragment opening with SOI (JPEG,
    // JPEG-LS) or SOC (J2K codestream).
    const starts: number[] = [];
    fragments.forEach((_, i) => {
      const b = fragmentBytes(i);
      if (b[0] === 0xff && (b[1] === 0xd8 || b[1] === 0x4f)) starts.push(i);
    });
    if (starts.length !== frames) {
      const table = dicomParser.createJPEGBasicOffsetTable(dataSet, el);
      return dicomParser.readEncapsulatedImageFrame(dataSet, el, frameIndex, table) as Uint8Array;
    }
    startFragment = starts[frameIndex];
    endFragment = frameIndex + 1 < frames ? starts[frameIndex + 1] : fragments.length;
  }
  if (startFragment < 0) throw new DicomError('decode-failed', `Basic Offset Table entry for frame ${frameIndex + 1} matches no fragment.`);
  if (endFragment - startFragment === 1) return fragmentBytes(startFragment);
  let total = 0;
  for (let i = startFragment; i < endFragment; i++) total += fragments[i].length;
  const out = new Uint8Array(total);
  let o = 0;
  for (let i = startFragment; i < endFragment; i++) {
    out.set(fragmentBytes(i), o);
    o += fragments[i].length;
  }
  return out;
}
