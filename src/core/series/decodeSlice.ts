import type { MedicalImage } from '../image/medicalImage.ts';
import type { SliceRef } from './series.ts';

/** Reads the slice's file again and decodes its frame to modality values (throws DicomError). */
export async function decodeSlice(slice: SliceRef): Promise<MedicalImage> {
  void slice;
  throw new Error('decodeSlice: implementation in progress');
}
