import { inflateSync } from 'fflate';
import { dicomParser, type DataSet } from './dicomParserModule.ts';
import { DicomError, thrownText } from './dicomError.ts';
import { isSupportedTransferSyntax, transferSyntaxName } from './transferSyntax.ts';

export interface ParsedDicom {
  dataSet: DataSet;
  transferSyntax: string;
  /** The bytes the data set indexes into (inflated for deflate syntaxes). */
  bytes: Uint8Array;
}

const implicitLittle = '1.2.840.10008.1.2';
const explicitLittle = '1.2.840.10008.1.2.1';

/**
 * Parses a DICOM Part 10 file, or a raw data set without preamble/meta header, without
 * decoding pixels. Throws DicomError with a named reason; never a bare string.
 */
export function parseDicom(bytes: Uint8Array): ParsedDicom {
  const hasPreamble = bytes.length >= 132 && readAscii(bytes, 128, 4) === 'DICM';
  let rawSyntax: string | undefined;
  if (!hasPreamble) {
    if (looksEncryptedEnvelope(bytes)) {
      throw new DicomError('encrypted', 'Encrypted DICOM file (CMS envelope); the data set cannot be read without the key.');
    }
    rawSyntax = guessRawDataSetSyntax(bytes);
    if (!rawSyntax) {
      throw new DicomError('not-dicom', bytes.length < 132 ? `Not a DICOM file (only ${bytes.length} bytes).` : 'Not a DICOM file (no "DICM" marker and no recognisable data set).');
    }
  }
  if (hasPreamble) checkMetaSyntaxMatchesBody(bytes);
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, {
      ...(rawSyntax ? { TransferSyntaxUID: rawSyntax } : {}),
      inflater: inflateAfter,
    });
  } catch (e) {
    throw classifyParserError(e, bytes.length);
  }
  const transferSyntax = (dataSet.string('x00020010') ?? rawSyntax ?? implicitLittle).replace(/\0/g, '').trim();
  checkDecodable(dataSet, transferSyntax);
  return { dataSet, transferSyntax, bytes: dataSet.byteArray as Uint8Array };
}

/** Deflated syntax: the meta header stays as is, everything after it is raw deflate. */
function inflateAfter(arr: Uint8Array, position: number): Uint8Array {
  const inflated = inflateSync(arr.subarray(position));
  const out = new Uint8Array(position + inflated.length);
  out.set(arr.subarray(0, position), 0);
  out.set(inflated, position);
  return out;
}

function checkDecodable(dataSet: DataSet, transferSyntax: string): void {
  if (dataSet.elements.x04000500 || dataSet.elements.x04000520) {
    throw new DicomError('encrypted', 'The data set contains Encrypted Attributes / Encrypted Content; LungLens cannot decrypt it.');
  }
  const pixel = dataSet.elements.x7fe00010 ?? dataSet.elements.x7fe00008 ?? dataSet.elements.x7fe00009;
  if (!pixel) {
    const sop = (dataSet.string('x00080016') ?? '').replace(/\0/g, '').trim();
    if (isImageStorage(sop) || (dataSet.elements.x00280010 && dataSet.elements.x00280011)) {
      throw new DicomError('truncated', `No Pixel Data in an image object (${sop ? `SOP class ${sop}` : 'it has Rows and Columns'}): ` +
        'the file ends before its pixels, or its data set is damaged.');
    }
    throw new DicomError('no-pixel-data', `No pixel data: ${describeSopClass(sop)}.`);
  }
  if (!dataSet.elements.x7fe00010) {
    throw new DicomError('unsupported-transfer-syntax', 'Float / double-float pixel data (parametric maps) is not supported.');
  }
  if (!isSupportedTransferSyntax(transferSyntax)) {
    throw new DicomError('unsupported-transfer-syntax', `Unsupported transfer syntax: ${transferSyntaxName(transferSyntax)}.`);
  }
}

/** CR, DX, mammography, CT, MR, US, SC, NM, XA, PET (and their enhanced forms): always carry pixels. */
function isImageStorage(uid: string): boolean {
  return /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.(1|1\.1|1\.1\.\d+|1\.2(\.\d+)*|2|2\.1|4|4\.1|6\.1|7(\.\d+)?|20|12\.1|128)$/.test(uid);
}

function describeSopClass(uid: string): string {
  if (uid.startsWith('1.2.840.10008.5.1.4.1.1.88.59')) return 'a Key Object Selection document';
  if (uid.startsWith('1.2.840.10008.5.1.4.1.1.88.')) return 'a Structured Report (SR)';
  if (uid === '1.2.840.10008.5.1.4.1.1.104.1') return 'an Encapsulated PDF';
  if (uid === '1.2.840.10008.5.1.4.1.1.104.2') return 'an Encapsulated CDA document';
  if (uid.startsWith('1.2.840.10008.5.1.4.1.1.11.')) return 'a Presentation State';
  if (uid === '1.2.840.10008.5.1.4.1.1.66.4') return 'a Segmentation object without pixel data';
  if (uid === '1.2.840.10008.5.1.4.1.1.481.3') return 'an RT Structure Set';
  return uid ? `object of SOP class ${uid} has no image` : 'the object has no image';
}

function classifyParserError(e: unknown, length: number): DicomError {
  if (e instanceof DicomError) return e;
  const text = thrownText(e);
  if (/call stack|too much recursion/i.test(text)) {
    return new DicomError('invalid-header', 'Sequences are nested too deeply to read (thousands of levels): the file is damaged or malicious.');
  }
  if (/DICM prefix not found|not a valid DICOM/i.test(text)) return new DicomError('not-dicom', 'Not a DICOM file (no "DICM" marker).');
  if (/past end|buffer overrun|overread|end of buffer|beyond|out of bounds|Offset is outside|exceed/i.test(text)) {
    return new DicomError('truncated', `The file ends before its data set does (${length} bytes): it is truncated, or an element length in it is wrong (${text}).`);
  }
  if (/inflat|incorrect header|invalid (block|distance|length)|unexpected EOF/i.test(text)) {
    return new DicomError('truncated', `The deflated data set is damaged or truncated (${text}).`);
  }
  return new DicomError('not-dicom', `Not a readable DICOM file (${text}).`);
}

/**
 * The meta header names the body's encoding; a body written with the other VR encoding makes
 * every length wrong. Told apart by the first body element: explicit VR has two uppercase
 * letters after the tag, implicit VR has a 4-byte length there. Only the two plain
 * little-endian syntaxes are checked: the others are never mixed up this way in practice.
 */
function checkMetaSyntaxMatchesBody(bytes: Uint8Array): void {
  let pos = 132;
  let syntax: string | undefined;
  // Meta elements are always explicit VR little endian.
  while (pos + 12 <= bytes.length && (bytes[pos] | (bytes[pos + 1] << 8)) === 0x0002) {
    const element = bytes[pos + 2] | (bytes[pos + 3] << 8);
    const vr = readAscii(bytes, pos + 4, 2);
    const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(vr);
    const length = long ? (bytes[pos + 8] | (bytes[pos + 9] << 8) | (bytes[pos + 10] << 16)) + bytes[pos + 11] * 2 ** 24 : bytes[pos + 6] | (bytes[pos + 7] << 8);
    const start = pos + (long ? 12 : 8);
    if (element === 0x0010) syntax = readAscii(bytes, start, length).replace(/[\0 ]+$/, '');
    pos = start + length;
  }
  if (!syntax || pos + 8 > bytes.length) return;
  const explicitBody = /^[A-Z]{2}$/.test(readAscii(bytes, pos + 4, 2));
  if (syntax === implicitLittle && explicitBody) {
    throw new DicomError('invalid-header', 'The meta header says Implicit VR Little Endian, but the data set is written with explicit VRs: the transfer syntax is wrong.');
  }
  if (syntax === explicitLittle && !explicitBody) {
    throw new DicomError('invalid-header', 'The meta header says Explicit VR Little Endian, but the data set has no VRs (implicit VR): the transfer syntax is wrong.');
  }
}

/**
 * Files without preamble: accept them when the first element is a plausible group 0002/0008
 * tag. Explicit VR is detected by two uppercase VR letters after the tag.
 */
function guessRawDataSetSyntax(bytes: Uint8Array): string | undefined {
  if (bytes.length < 16) return undefined;
  const group = bytes[0] | (bytes[1] << 8);
  if (group !== 0x0008 && group !== 0x0002) return undefined;
  const vr = readAscii(bytes, 4, 2);
  return /^[A-Z]{2}$/.test(vr) ? explicitLittle : implicitLittle;
}

/** PKCS#7 / CMS EnvelopedData (Secure DICOM file format, PS3.10 7.4): SEQUENCE + OID 1.2.840.113549.1.7.3. */
function looksEncryptedEnvelope(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x30) return false;
  const oid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03];
  const end = Math.min(bytes.length - oid.length, 64);
  outer: for (let i = 0; i < end; i++) {
    for (let j = 0; j < oid.length; j++) if (bytes[i + j] !== oid[j]) continue outer;
    return true;
  }
  return false;
}

function readAscii(bytes: Uint8Array, offset: number, length: number): string {
  let s = '';
  for (let i = 0; i < length && offset + i < bytes.length; i++) s += String.fromCharCode(bytes[offset + i]);
  return s;
}
