import type { MedicalImage } from '../image/medicalImage.ts';
import { asDicomError, DicomError } from './dicomError.ts';
import { frameBytes } from './frameBytes.ts';
import { decodeEncapsulatedFrame } from './codecs/decodeFrameBytes.ts';
import { applyModalityLut, modalityValueOf } from './modalityLut.ts';
import type { ParsedDicom } from './parseDicom.ts';
import type { ImageHeader } from './readHeader.ts';
import { decodedStoredValues, nativeStoredValues, ybrFullToRgb } from './storedValues.ts';
import { transferSyntaxInfo } from './transferSyntax.ts';

/**
 * Decodes one frame to a MedicalImage in modality values. Throws DicomError only.
 */
export async function decodeFrame(parsed: ParsedDicom, header: ImageHeader, frameIndex: number, source: string): Promise<MedicalImage> {
  const info = transferSyntaxInfo(parsed.transferSyntax);
  if (header.samplesPerPixel !== 1 && header.samplesPerPixel !== 3) {
    throw new DicomError('decode-failed', `Samples per Pixel ${header.samplesPerPixel} is not supported.`);
  }
  if (header.photometric === 'PALETTE COLOR') {
    throw new DicomError('decode-failed', 'PALETTE COLOR images are not supported.');
  }
  let stored: Int32Array;
  let convertedToRgb = false;
  try {
    const { bytes, bitOffset } = frameBytes(parsed.dataSet, header, frameIndex);
    if (!info || info.encoding === 'native') {
      stored = nativeStoredValues(bytes, bitOffset, header, !!info?.bigEndian);
    } else {
      const decoded = await decodeEncapsulatedFrame(parsed.transferSyntax, bytes, header);
      convertedToRgb = !!decoded.convertedToRgb;
      stored = decodedStoredValues(decoded, header);
    }
  } catch (e) {
    throw asDicomError(e, 'decode-failed', `Frame ${frameIndex + 1} could not be decoded: `);
  }
  if (header.samplesPerPixel === 3 && !convertedToRgb && header.photometric === 'YBR_FULL') {
    ybrFullToRgb(stored, (1 << header.bitsStored) - 1);
  }
  return toMedicalImage(stored, header, frameIndex, source);
}

function toMedicalImage(stored: Int32Array, header: ImageHeader, frameIndex: number, source: string): MedicalImage {
  const mono = header.samplesPerPixel === 1;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < stored.length; i++) {
    const v = stored[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // Colour images have no modality LUT (PS3.3 C.7.6.3.1.2).
  const lut = mono ? header.modalityLut : undefined;
  const slope = mono ? header.rescaleSlope : 1;
  const intercept = mono ? header.rescaleIntercept : 0;
  const pixels = applyModalityLut(stored, lut, slope, intercept, [lo, hi]);

  // min/max exclude padding, tested on stored values (the padding attributes are stored units).
  let padLo = Infinity, padHi = -Infinity;
  if (mono && header.paddingValue !== undefined) {
    const limit = header.paddingRangeLimit ?? header.paddingValue;
    padLo = Math.min(header.paddingValue, limit);
    padHi = Math.max(header.paddingValue, limit);
  }
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    const s = stored[i];
    if (s >= padLo && s <= padHi) continue;
    const v = pixels[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) min = max = 0;

  const frameGeometry = header.framePositions?.[frameIndex] ?? header.imagePositionPatient;
  const image: MedicalImage = {
    source,
    kind: 'dicom',
    modality: header.modality,
    rows: header.rows,
    columns: header.columns,
    frameIndex,
    numberOfFrames: header.numberOfFrames,
    samplesPerPixel: mono ? 1 : 3,
    pixels,
    minValue: min,
    maxValue: max,
    photometric: header.photometric,
    invert: header.photometric === 'MONOCHROME1',
    windows: header.windows,
    voiLutFunction: header.voiLutFunction,
    voiLut: header.voiLut,
    paddingValue: mono && header.paddingValue !== undefined ? modalityValueOf(header.paddingValue, lut, slope, intercept) : undefined,
    bitsAllocated: header.bitsAllocated,
    bitsStored: header.bitsStored,
    pixelRepresentation: header.pixelRepresentation,
    transferSyntax: header.transferSyntax,
    pixelSpacingMm: header.pixelSpacingMm,
    sliceThicknessMm: header.sliceThicknessMm,
    spacingBetweenSlicesMm: header.spacingBetweenSlicesMm,
    imagePositionPatient: frameGeometry,
    imageOrientationPatient: header.imageOrientationPatient,
    studyInstanceUID: header.studyInstanceUID,
    seriesInstanceUID: header.seriesInstanceUID,
    sopInstanceUID: header.sopInstanceUID,
    sopClassUID: header.sopClassUID,
    instanceNumber: header.instanceNumber,
    seriesDescription: header.seriesDescription,
    convolutionKernel: header.convolutionKernel,
    manufacturer: header.manufacturer,
  };
  return image;
}
