import { DicomError } from './dicomError.ts';

/**
 * The largest image LungLens decodes, checked from the header before any pixel is decoded:
 * a 20000×20000 PNG or a DICOM claiming 65535×65535 would otherwise take gigabytes first.
 * 16384 per side covers every radiograph and CT; 2^26 pixels (8192×8192) per frame keeps one
 * decoded frame (stored + modality values) under about 600 MB.
 */
export const MAX_IMAGE_SIDE = 16384;
const MAX_FRAME_PIXELS = 1 << 26;

/** Throws DicomError when the image is empty or over the limits. */
export function checkImageSize(columns: number, rows: number, what: string): void {
  if (!(columns >= 1) || !(rows >= 1)) {
    throw new DicomError('invalid-header', `${what} is ${columns}×${rows} pixels: an image needs at least one row and one column.`);
  }
  if (columns > MAX_IMAGE_SIDE || rows > MAX_IMAGE_SIDE || columns * rows > MAX_FRAME_PIXELS) {
    throw new DicomError('too-large', `${what} is ${columns}×${rows} pixels; LungLens decodes images up to ${MAX_IMAGE_SIDE} pixels a side ` +
      `and ${MAX_FRAME_PIXELS.toLocaleString('en-US')} pixels (8192×8192) a frame.`);
  }
}
