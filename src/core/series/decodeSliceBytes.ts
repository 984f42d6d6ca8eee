import type { MedicalImage } from '../image/medicalImage.ts';
import { DicomError } from '../dicom/dicomError.ts';
import { decodeFrame } from '../dicom/decodeFrame.ts';
import { parseDicom } from '../dicom/parseDicom.ts';
import { readImageHeader } from '../dicom/readHeader.ts';
import { decodeRasterImage, rasterKindOf } from '../ingest/rasterImage.ts';

/** Bytes of a DICOM/PNG/JPEG file → one frame as a MedicalImage. Throws DicomError only. */
export async function decodeSliceBytes(bytes: Uint8Array, source: string, frameIndex: number): Promise<MedicalImage> {
  try {
    if (rasterKindOf(bytes)) return decodeRasterImage(bytes, source);
    const parsed = parseDicom(bytes);
    return await decodeFrame(parsed, readImageHeader(parsed), frameIndex, source);
  } catch (e) {
    if (e instanceof DicomError) throw e;
    throw new DicomError('decode-failed', `${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
