/**
 * Header attributes that contradict each other or the pixel data are errors, found before any
 * pixel is decoded: otherwise garbage pixels flow into the analyses and come out as confident
 * numbers (a CR read with Bits Allocated 8 over 16-bit data was "COVID-19, p = 0.98").
 */
import type { DataSet } from './dicomParserModule.ts';
import { DicomError } from './dicomError.ts';
import { checkImageSize } from './imageLimits.ts';
import type { ImageHeader } from './readHeader.ts';
import { transferSyntaxInfo, transferSyntaxName } from './transferSyntax.ts';

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** Number of Frames (IS): absent means 1; anything but a positive integer is an error. */
export function readNumberOfFrames(ds: DataSet): number {
  if (!ds.elements.x00280008) return 1;
  const text = (ds.string('x00280008') ?? '').replace(/\0/g, '').trim();
  if (text === '') return 1;
  if (!/^\+?\d+$/.test(text) || Number(text) < 1) {
    throw new DicomError('invalid-header', `Number of Frames is "${text.slice(0, 20)}", not a positive whole number.`);
  }
  return Number(text);
}

export function validateImageHeader(ds: DataSet, h: ImageHeader, fileLength: number): void {
  checkStructure(ds);
  checkImageSize(h.columns, h.rows, 'The image');
  if (![1, 8, 16, 32].includes(h.bitsAllocated)) {
    throw new DicomError('invalid-header', `Bits Allocated is ${h.bitsAllocated}; DICOM images use 1, 8, 16 or 32.`);
  }
  if (!(h.bitsStored >= 1 && h.bitsStored <= h.bitsAllocated)) {
    throw new DicomError('invalid-header', `Bits Stored ${h.bitsStored} does not fit in Bits Allocated ${h.bitsAllocated}.`);
  }
  if (h.bitsAllocated === 1 && h.samplesPerPixel !== 1) {
    throw new DicomError('invalid-header', `Bits Allocated 1 with ${h.samplesPerPixel} samples per pixel is not a valid image.`);
  }
  checkPixelData(ds, h, fileLength);
  checkRescale(ds, h);
}

/**
 * Item or delimiter tags among the top-level elements mean a sequence length was wrong and the
 * parser read a sequence's content as the data set: what follows is not what the file says.
 */
function checkStructure(ds: DataSet): void {
  const stray = Object.keys(ds.elements).find((tag) => tag.startsWith('xfffe'));
  if (stray) {
    throw new DicomError('invalid-header', `The data set structure is damaged: a sequence item (${stray.slice(1, 5)},${stray.slice(5)}) ` +
      'appears outside any sequence, so a sequence length is wrong.');
  }
}

function checkPixelData(ds: DataSet, h: ImageHeader, fileLength: number): void {
  const el = ds.elements.x7fe00010;
  if (!el) return;
  const info = transferSyntaxInfo(h.transferSyntax ?? '');
  const compressed = !!info && info.encoding !== 'native';
  const syntax = transferSyntaxName(h.transferSyntax ?? '');
  if (compressed && !el.encapsulatedPixelData) {
    throw new DicomError('invalid-header', `The transfer syntax is ${syntax}, but Pixel Data is not encapsulated (compressed): ` +
      'the transfer syntax in the meta header is wrong.');
  }
  if (!compressed && el.encapsulatedPixelData) {
    throw new DicomError('invalid-header', `Pixel Data is encapsulated (compressed), but the transfer syntax is ${syntax}: ` +
      'the transfer syntax in the meta header is wrong.');
  }
  if (compressed) {
    const fragments = el.fragments ?? [];
    if (fragments.length < h.numberOfFrames) {
      throw new DicomError('invalid-header', `Number of Frames is ${h.numberOfFrames}, but the compressed Pixel Data has only ${fragments.length} ` +
        `fragment${fragments.length === 1 ? '' : 's'}.`);
    }
    // More JPEG / J2K streams than frames: the other frames would be silently dropped.
    const bytes = ds.byteArray;
    const streams = fragments.filter((f) => bytes[f.position] === 0xff && (bytes[f.position + 1] === 0xd8 || bytes[f.position + 1] === 0x4f)).length;
    if (streams > h.numberOfFrames) {
      throw new DicomError('invalid-header', `The compressed Pixel Data holds ${streams} images, but Number of Frames is ${h.numberOfFrames}.`);
    }
    return;
  }
  const frameBits = h.rows * h.columns * h.samplesPerPixel * h.bitsAllocated;
  const needed = Math.ceil((frameBits * h.numberOfFrames) / 8);
  const available = Math.max(0, Math.min(el.length, fileLength - el.dataOffset));
  const shape = `${h.rows} rows × ${h.columns} columns × ${h.samplesPerPixel} sample${h.samplesPerPixel === 1 ? '' : 's'} × ` +
    `${h.bitsAllocated} bits × ${h.numberOfFrames} frame${h.numberOfFrames === 1 ? '' : 's'}`;
  if (el.length >= needed && available < needed) {
    throw new DicomError('truncated', `The file is truncated: pixel data has ${available} of ${needed} bytes (${shape}).`);
  }
  // Odd lengths are padded to even; anything else is a header that does not describe the data.
  if (el.length < needed || el.length > needed + (needed % 2)) {
    throw new DicomError('invalid-header', `Pixel Data holds ${el.length} bytes, but the header describes ${needed} (${shape}): ` +
      'Bits Allocated, Rows, Columns, Samples per Pixel or Number of Frames is wrong.');
  }
}

/** CT Image Storage requires Rescale Intercept and Slope (Type 1): without them there are no Hounsfield units. */
function checkRescale(ds: DataSet, h: ImageHeader): void {
  if (h.sopClassUID !== CT_IMAGE_STORAGE || h.modalityLut) return;
  const missing = ['x00281052', 'x00281053'].filter((t) => !ds.elements[t] || !Number.isFinite(ds.floatString(t) ?? NaN));
  if (missing.length) {
    throw new DicomError('invalid-header', `CT image without a valid ${missing.map((t) => (t === 'x00281052' ? 'Rescale Intercept' : 'Rescale Slope')).join(' and ')}: ` +
      'its values cannot be turned into Hounsfield units.');
  }
  if (h.rescaleSlope === 0) throw new DicomError('invalid-header', 'CT image with Rescale Slope 0: every pixel would read the same value.');
}
