/**
 * Named, human reasons a file cannot be shown. Every failure in parsing or decoding is
 * turned into one of these, so the UI and the CLI can say *why* and *what to do*.
 */
export type DicomErrorCode =
  | 'not-dicom'
  | 'truncated'
  | 'unsupported-transfer-syntax'
  | 'no-pixel-data'
  | 'encrypted'
  | 'decode-failed'
  | 'read-failed';

const actions: Record<DicomErrorCode, string> = {
  'not-dicom': 'Check that this is a DICOM, PNG or JPEG image; other files are skipped.',
  truncated: 'The file ends early. Copy it again from the source (incomplete download or export?).',
  'unsupported-transfer-syntax':
    'Re-export the image uncompressed or as JPEG/JPEG-LS/JPEG 2000/RLE (e.g. `dcmdjpeg`/`gdcmconv --raw`).',
  'no-pixel-data': 'This object holds no image (report, document or key-object); nothing to display.',
  encrypted: 'The object is encrypted; decrypt it with the tool that produced it before loading.',
  'decode-failed': 'The pixel data could not be decoded; the file may be damaged. Try re-exporting it.',
  'read-failed': 'The file could not be read (permissions, or it was moved). Try selecting it again.',
};

export class DicomError extends Error {
  readonly code: DicomErrorCode;
  readonly action: string;
  constructor(code: DicomErrorCode, message: string) {
    super(message);
    this.name = 'DicomError';
    this.code = code;
    this.action = actions[code];
  }
}

export function actionFor(code: DicomErrorCode): string {
  return actions[code];
}
