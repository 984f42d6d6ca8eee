import type { MedicalImage } from '../image/medicalImage.ts';
import { decodeFrame } from './decodeFrame.ts';
import { parseDicom } from './parseDicom.ts';
import { readImageHeader } from './readHeader.ts';

/** Convenience: bytes of a DICOM file → every frame (or the listed ones) as MedicalImages. */
export async function decodeDicomFile(bytes: Uint8Array, source: string, frames?: number[]): Promise<MedicalImage[]> {
  const parsed = parseDicom(bytes);
  const header = readImageHeader(parsed);
  const wanted = frames ?? Array.from({ length: header.numberOfFrames }, (_, i) => i);
  const out: MedicalImage[] = [];
  for (const f of wanted) out.push(await decodeFrame(parsed, header, f, source));
  return out;
}
