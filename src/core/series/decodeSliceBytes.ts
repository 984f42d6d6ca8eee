import type { MedicalImage } from '../image/medicalImage.ts';
import { DicomError } from '../dicom/dicomError.ts';
import { loadImages } from '../ingest/loadImages.ts';

/** Bytes of a DICOM/PNG/JPEG/NIfTI file → one frame as a MedicalImage (through loadImages). Throws DicomError only. */
export async function decodeSliceBytes(bytes: Uint8Array, source: string, frameIndex: number): Promise<MedicalImage> {
  try {
    for await (const image of loadImages(bytes, source, [frameIndex])) return image;
    throw new DicomError('decode-failed', `${source}: no frame ${frameIndex}`);
  } catch (e) {
    if (e instanceof DicomError) throw e;
    throw new DicomError('decode-failed', `${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
