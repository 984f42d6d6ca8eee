export type NiftiErrorCode = 'not-nifti' | 'truncated' | 'no-orientation' | 'not-3d' | 'unsupported-datatype';

/** A NIfTI file LungLens cannot open, with the reason in words a user can act on. */
export class NiftiError extends Error {
  constructor(
    readonly code: NiftiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'NiftiError';
  }
}
