import { DicomError } from '../dicom/dicomError.ts';
import { parseDicom } from '../dicom/parseDicom.ts';
import { readImageHeader, type ImageHeader } from '../dicom/readHeader.ts';
import type { SliceHeader } from '../series/series.ts';
import { readRasterHeader } from './rasterHeader.ts';
import { rasterKindOf } from './rasterImage.ts';
import { looksLikeNifti, niftiSliceHeaders } from '../nifti/niftiSlices.ts';

/**
 * Header-only look at one file: one SliceHeader per frame (PNG/JPEG: one). No pixels are
 * decoded. Throws DicomError with the named reason.
 */
export function readSliceHeaders(bytes: Uint8Array, name = ''): SliceHeader[] {
  if (looksLikeNifti(bytes)) return niftiSliceHeaders(bytes, name);
  const raster = rasterKindOf(bytes);
  if (raster) {
    const h = readRasterHeader(bytes, raster);
    if (!h) throw new DicomError('truncated', `${raster.toUpperCase()} header is incomplete.`);
    return [h];
  }
  const parsed = parseDicom(bytes);
  const header = readImageHeader(parsed);
  checkNativeLength(parsed.dataSet.elements.x7fe00010, header, parsed.bytes.length);
  return frameHeaders(header);
}

function frameHeaders(h: ImageHeader): SliceHeader[] {
  const base: SliceHeader = {
    kind: 'dicom',
    modality: h.modality,
    rows: h.rows,
    columns: h.columns,
    numberOfFrames: h.numberOfFrames,
    transferSyntax: h.transferSyntax,
    photometric: h.photometric,
    bitsAllocated: h.bitsAllocated,
    bitsStored: h.bitsStored,
    pixelRepresentation: h.pixelRepresentation,
    samplesPerPixel: h.samplesPerPixel,
    studyInstanceUID: h.studyInstanceUID,
    seriesInstanceUID: h.seriesInstanceUID,
    sopInstanceUID: h.sopInstanceUID,
    seriesNumber: h.seriesNumber,
    instanceNumber: h.instanceNumber,
    seriesDescription: h.seriesDescription,
    pixelSpacingMm: h.pixelSpacingMm,
    sliceThicknessMm: h.sliceThicknessMm,
    spacingBetweenSlicesMm: h.spacingBetweenSlicesMm,
    imagePositionPatient: h.imagePositionPatient,
    imageOrientationPatient: h.imageOrientationPatient,
  };
  if (h.numberOfFrames === 1) return [base];
  return Array.from({ length: h.numberOfFrames }, (_, f) => ({
    ...base,
    imagePositionPatient: h.framePositions?.[f] ?? (f === 0 ? h.imagePositionPatient : undefined),
  }));
}

/** Native pixel data shorter than rows×columns×frames means the file was cut off. */
function checkNativeLength(el: { dataOffset: number; length: number; encapsulatedPixelData?: boolean } | undefined, h: ImageHeader, fileLength: number): void {
  if (!el || el.encapsulatedPixelData) return;
  const needed = Math.ceil((h.rows * h.columns * h.samplesPerPixel * h.bitsAllocated * h.numberOfFrames) / 8);
  const present = Math.min(el.length, fileLength - el.dataOffset);
  if (present < needed) {
    throw new DicomError('truncated', `The file is truncated: pixel data has ${Math.max(0, present)} of ${needed} bytes.`);
  }
}
