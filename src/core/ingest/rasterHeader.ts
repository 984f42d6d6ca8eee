import type { SliceHeader } from '../series/series.ts';
import { checkImageSize } from '../dicom/imageLimits.ts';
import type { RasterKind } from './rasterImage.ts';

/**
 * Width/height of a PNG (IHDR) or JPEG (first SOFn) without decoding it: ingestion stays cheap.
 * Undefined when the header is incomplete; throws DicomError for an empty or oversized image.
 */
export function readRasterHeader(bytes: Uint8Array, kind: RasterKind): SliceHeader | undefined {
  const dims = kind === 'png' ? pngSize(bytes) : jpegSize(bytes);
  if (!dims) return undefined;
  checkImageSize(dims.width, dims.height, `The ${kind.toUpperCase()}`);
  return {
    kind,
    modality: '',
    rows: dims.height,
    columns: dims.width,
    numberOfFrames: 1,
    photometric: 'MONOCHROME2',
    bitsAllocated: dims.depth > 8 ? 16 : 8,
    bitsStored: dims.depth > 8 ? 16 : 8,
    pixelRepresentation: 0,
    samplesPerPixel: 1,
  };
}

function pngSize(b: Uint8Array): { width: number; height: number; depth: number } | undefined {
  if (b.length < 26) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20), depth: b[24] };
}

function jpegSize(b: Uint8Array): { width: number; height: number; depth: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) { i++; continue; }
    const marker = b[i + 1];
    if (marker === 0xff) { i++; continue; }
    const len = (b[i + 2] << 8) | b[i + 3];
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { depth: b[i + 4], height: (b[i + 5] << 8) | b[i + 6], width: (b[i + 7] << 8) | b[i + 8] };
    }
    i += 2 + len;
  }
  return undefined;
}
