import { DicomError, thrownText } from '../dicomError.ts';
import { transferSyntaxInfo, transferSyntaxName } from '../transferSyntax.ts';
import type { DecodedFrame, FrameSpec } from './decodedFrame.ts';
import { decodeRle } from './rleCodec.ts';

/**
 * Dispatches an encapsulated frame to its codec. Codecs are dynamic imports so the first
 * paint (and CLI runs on uncompressed data) never load them.
 */
export async function decodeEncapsulatedFrame(transferSyntax: string, bytes: Uint8Array, spec: FrameSpec): Promise<DecodedFrame> {
  const info = transferSyntaxInfo(transferSyntax);
  try {
    switch (info?.encoding) {
      case 'rle':
        return decodeRle(bytes, spec);
      case 'jpeg-baseline':
        return await (await import('./jpegBaselineCodec.ts')).decodeJpegBaseline(bytes, spec);
      case 'jpeg-extended':
        return await (await import('./jpegExtendedCodec.ts')).decodeJpegExtended(bytes, spec);
      case 'jpeg-lossless':
        return await (await import('./jpegLosslessCodec.ts')).decodeJpegLossless(bytes, spec);
      case 'jpeg-ls':
        return await (await import('./jpegLsCodec.ts')).decodeJpegLs(bytes, spec);
      case 'jpeg2000':
        return await (await import('./jpeg2000Codec.ts')).decodeJpeg2000(bytes, spec);
      default:
        throw new DicomError('unsupported-transfer-syntax', `Unsupported transfer syntax: ${transferSyntaxName(transferSyntax)}.`);
    }
  } catch (e) {
    if (e instanceof DicomError) throw e;
    const why = thrownText(e);
    throw new DicomError('decode-failed', `${transferSyntaxName(transferSyntax)} frame could not be decoded: ${why}`);
  }
}
