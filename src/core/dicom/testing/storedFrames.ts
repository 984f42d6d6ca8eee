import { decodeEncapsulatedFrame } from '../codecs/decodeFrameBytes.ts';
import { frameBytes } from '../frameBytes.ts';
import { parseDicom } from '../parseDicom.ts';
import { readImageHeader } from '../readHeader.ts';
import { decodedStoredValues, nativeStoredValues } from '../storedValues.ts';
import { transferSyntaxInfo } from '../transferSyntax.ts';

/**
 * Stored values (before any modality LUT) of every frame of a DICOM file, with the transfer
 * syntax: what a lossless round trip must preserve exactly. Tests only.
 */
export async function storedFrames(bytes: Uint8Array): Promise<{ transferSyntax: string; frames: Int32Array[] }> {
  const parsed = parseDicom(bytes);
  const header = readImageHeader(parsed);
  const info = transferSyntaxInfo(parsed.transferSyntax);
  const frames: Int32Array[] = [];
  for (let f = 0; f < header.numberOfFrames; f++) {
    const { bytes: frame, bitOffset } = frameBytes(parsed.dataSet, header, f);
    frames.push(!info || info.encoding === 'native'
      ? nativeStoredValues(frame, bitOffset, header, !!info?.bigEndian)
      : decodedStoredValues(await decodeEncapsulatedFrame(parsed.transferSyntax, frame, header), header));
  }
  return { transferSyntax: parsed.transferSyntax, frames };
}
