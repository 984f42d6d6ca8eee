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
  | 'read-failed'
  | 'invalid-header'
  | 'too-large';

const actions: Record<DicomErrorCode, string> = {
  'not-dicom': 'Check that this is a DICOM, PNG or JPEG image; other files are skipped.',
  truncated: 'The file ends early. Copy it again from the source (incomplete download or export?).',
  'unsupported-transfer-syntax':
    'Re-export the image uncompressed or as JPEG/JPEG-LS/JPEG 2000/RLE (e.g. `dcmdjpeg`/`gdcmconv --raw`).',
  'no-pixel-data': 'This object holds no image (report, document or key-object); nothing to display.',
  encrypted: 'The object is encrypted; decrypt it with the tool that produced it before loading.',
  'decode-failed': 'The pixel data could not be decoded; the file may be damaged. Try re-exporting it.',
  'read-failed': 'The file could not be read (permissions, or it was moved). Try selecting it again.',
  'invalid-header':
    'The header contradicts itself or the pixel data (size, bits, frames, transfer syntax); the file is damaged or was written wrongly. Re-export it.',
  'too-large': 'Downsample or crop the image (e.g. to 4096×4096) before loading it.',
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

/** Text of any thrown value: libraries throw strings, objects and Errors alike (dicomParser throws strings). */
export function thrownText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object') {
    const inner = (e as { exception?: unknown; message?: unknown }).exception ?? (e as { message?: unknown }).message;
    if (inner !== undefined && inner !== e) return thrownText(inner);
    try {
      return JSON.stringify(e);
    } catch {
      return String(e);
    }
  }
  return String(e);
}

/** Any thrown value as a DicomError (kept when it already is one). */
export function asDicomError(e: unknown, code: DicomErrorCode = 'decode-failed', prefix = ''): DicomError {
  return e instanceof DicomError ? e : new DicomError(code, `${prefix}${thrownText(e)}`);
}
