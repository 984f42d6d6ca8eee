/** Transfer syntaxes LungLens decodes, how their pixel data is stored, and human names. */

export type PixelEncoding =
  | 'native'
  | 'rle'
  | 'jpeg-baseline'
  | 'jpeg-extended'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg2000';

interface SyntaxInfo {
  name: string;
  encoding: PixelEncoding;
  bigEndian?: boolean;
  deflated?: boolean;
}

const syntaxes: Record<string, SyntaxInfo> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian', encoding: 'native', deflated: true },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian', encoding: 'native', bigEndian: true },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', encoding: 'jpeg-baseline' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4)', encoding: 'jpeg-extended' },
  '1.2.840.10008.1.2.4.53': { name: 'JPEG Spectral Selection (Process 6 & 8)', encoding: 'jpeg-extended' },
  '1.2.840.10008.1.2.4.55': { name: 'JPEG Full Progression (Process 10 & 12)', encoding: 'jpeg-extended' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless (Process 14)', encoding: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless SV1 (Process 14, predictor 1)', encoding: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 Lossless', encoding: 'jpeg2000' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', encoding: 'jpeg2000' },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', encoding: 'rle' },
};

/** Names of syntaxes we recognise but do not decode, for a useful error message. */
const unsupportedNames: Record<string, string> = {
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile',
  '1.2.840.10008.1.2.4.101': 'MPEG2 High Profile',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD',
  '1.2.840.10008.1.2.4.107': 'HEVC/H.265',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component Lossless',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.202': 'High-Throughput JPEG 2000 RPCL Lossless',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
  '1.2.840.10008.1.2.4.110': 'JPEG XL Lossless',
  '1.2.840.10008.1.2.4.112': 'JPEG XL',
};

export function transferSyntaxInfo(uid: string): SyntaxInfo | undefined {
  return syntaxes[uid];
}

export function isSupportedTransferSyntax(uid: string): boolean {
  return uid in syntaxes;
}

/** "JPEG-LS Lossless (1.2.840.10008.1.2.4.80)" or the bare UID when unknown. */
export function transferSyntaxName(uid: string): string {
  const name = syntaxes[uid]?.name ?? unsupportedNames[uid];
  return name ? `${name} (${uid})` : uid;
}
