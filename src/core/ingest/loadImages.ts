import { decodeFrame } from '../dicom/decodeFrame.ts';
import { parseDicom } from '../dicom/parseDicom.ts';
import { readImageHeader } from '../dicom/readHeader.ts';
import type { MedicalImage } from '../image/medicalImage.ts';
import { decodeRasterImage, rasterKindOf } from './rasterImage.ts';
import { looksLikeNifti, niftiSliceImage, niftiSliceVolume } from '../nifti/niftiSlices.ts';

/**
 * The one way in for pixels: the bytes of a DICOM, PNG, JPEG or NIfTI file -> its images, one a frame (or
 * slice), all or the listed ones, decoded one at a time so a caller that keeps none holds one frame's pixels.
 * The decode worker, decodeSlice, `lunglens inspect` and `lunglens analyze` all read files through here.
 */
export async function* loadImages(bytes: Uint8Array, name: string, frames?: readonly number[]): AsyncGenerator<MedicalImage> {
  if (rasterKindOf(bytes)) {
    yield decodeRasterImage(bytes, name);
    return;
  }
  if (looksLikeNifti(bytes)) {
    const { dims } = niftiSliceVolume(bytes, name).volume;
    for (const k of frames ?? Array.from({ length: dims[2] }, (_, i) => i)) yield niftiSliceImage(bytes, name, k);
    return;
  }
  const parsed = parseDicom(bytes);
  const header = readImageHeader(parsed);
  const wanted = frames ?? Array.from({ length: header.numberOfFrames }, (_, i) => i);
  for (const f of wanted) yield await decodeFrame(parsed, header, f, name);
}
