import type { MedicalImage } from '../image/medicalImage.ts';
import type { SliceRef } from './series.ts';
import { DicomError } from '../dicom/dicomError.ts';
import { decodeSliceBytes } from './decodeSliceBytes.ts';

/** Reads the slice's file again and decodes its frame to modality values (throws DicomError). */
export async function decodeSlice(slice: SliceRef): Promise<MedicalImage> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await slice.input.read());
  } catch (e) {
    throw new DicomError('read-failed', `Could not read ${slice.input.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return decodeSliceBytes(bytes, slice.input.name, slice.frameIndex);
}
