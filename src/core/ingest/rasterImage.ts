import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { PLAIN_GRAY, type MedicalImage, type PixelArray } from '../image/medicalImage.ts';
import { DicomError, thrownText } from '../dicom/dicomError.ts';
import { readRasterHeader } from './rasterHeader.ts';

export type RasterKind = 'png' | 'jpeg';

/** PNG / JPEG by signature, else undefined. */
export function rasterKindOf(bytes: Uint8Array): RasterKind | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/**
 * PNG/JPEG → single-channel MedicalImage (modality '', the user says what it is).
 * Colour is reduced to ITU-R 601-2 luma with PIL's integer formula (convert('L')):
 * the training data of the models was made that way, so the numbers must agree.
 * 16-bit grey PNGs keep 16 bits. The same pure-JS decoders run in browser and Node.
 * (jpeg-js's IDCT is not libjpeg's: JPEG inputs can differ from PIL by ±1-2 grey levels.)
 */
export function decodeRasterImage(bytes: Uint8Array, source: string): MedicalImage {
  const kind = rasterKindOf(bytes);
  if (!kind) throw new DicomError('not-dicom', 'Not a DICOM, PNG or JPEG image.');
  // Size limits and empty images are refused from the header, before the decoder allocates anything.
  if (!readRasterHeader(bytes, kind)) throw new DicomError('truncated', `${kind.toUpperCase()} header is incomplete.`);
  let width: number, height: number, channels: number, data: ArrayLike<number>, depth = 8;
  try {
    if (kind === 'png') {
      const png = decodePng(bytes);
      ({ width, height, channels } = png);
      depth = png.depth;
      data = png.data;
      if (png.palette) {
        data = convertIndexedToRgb(png);
        channels = png.palette[0]?.length ?? 3;
        depth = 8;
      }
      if (depth < 8) throw new Error(`${depth}-bit PNG samples are not supported`);
    } else {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
      ({ width, height } = img);
      channels = 3;
      data = img.data;
    }
  } catch (e) {
    throw new DicomError('decode-failed', `${kind.toUpperCase()} could not be decoded: ${thrownText(e)}`);
  }
  const n = width * height;
  if (!(n > 0)) throw new DicomError('invalid-header', `The ${kind.toUpperCase()} is ${width}×${height} pixels: nothing to analyse.`);
  const pixels: PixelArray = depth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  if (channels >= 3) {
    for (let i = 0; i < n; i++) {
      const o = i * channels;
      pixels[i] = (data[o] * 19595 + data[o + 1] * 38470 + data[o + 2] * 7471 + 0x8000) >>> 16;
    }
  } else {
    for (let i = 0; i < n; i++) pixels[i] = data[i * channels]; // grey (+alpha dropped)
  }
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (pixels[i] < min) min = pixels[i];
    if (pixels[i] > max) max = pixels[i];
  }
  const top = depth === 16 ? 65535 : 255;
  return {
    source,
    kind,
    modality: '',
    rows: height,
    columns: width,
    frameIndex: 0,
    numberOfFrames: 1,
    ...PLAIN_GRAY,
    pixels,
    minValue: min,
    maxValue: max,
    windows: [{ center: (top + 1) / 2, width: top + 1, explanation: 'full range' }],
    bitsAllocated: depth,
    bitsStored: depth,
    pixelRepresentation: 0,
  };
}
