/**
 * The one image type every layer after ingestion speaks: a single decoded frame in
 * *modality values* (after the modality LUT: Hounsfield units for CT), plus the
 * display and geometry facts the viewer and the analyses need. DICOM and PNG/JPEG
 * inputs both end up here, so nothing downstream cares where pixels came from.
 */

export type PixelArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array;

export interface VoiWindow {
  center: number;
  width: number;
  explanation?: string;
}

/** VOI LUT Sequence item: maps modality values to display values. */
export interface VoiLutTable {
  firstMapped: number;
  bitsPerEntry: number;
  data: Uint16Array;
}

export type VoiLutFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

export type SourceKind = 'dicom' | 'png' | 'jpeg' | 'nifti';

/** DICOM and NIfTI carry modality values (HU for CT); PNG/JPEG carry display grey levels. */
export function hasModalityValues(kind: SourceKind | string): boolean {
  return kind === 'dicom' || kind === 'nifti';
}

export interface MedicalImage {
  /** Display name / relative path of the file. Never leaves the device. */
  source: string;
  kind: SourceKind;
  /** DICOM Modality (CT, CR, DX, ...), or '' for PNG/JPEG until the user says. */
  modality: string;
  rows: number;
  columns: number;
  /** 0-based frame of a multi-frame object; 0 for single-frame. */
  frameIndex: number;
  numberOfFrames: number;
  samplesPerPixel: 1 | 3;
  /** Row-major modality values, rows*columns*samplesPerPixel (RGB interleaved). */
  pixels: PixelArray;
  /** Range of `pixels`, excluding pixel padding. */
  minValue: number;
  maxValue: number;
  photometric: string;
  /** MONOCHROME1: low values are white; display must invert. */
  invert: boolean;
  /** Default windows from the file (first is the default), in modality units. */
  windows: VoiWindow[];
  voiLutFunction: VoiLutFunction;
  voiLut?: VoiLutTable;
  /** Pixel Padding Value mapped into modality units, when present. */
  paddingValue?: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  transferSyntax?: string;
  /** [row spacing, column spacing] in mm (Pixel Spacing, else Imager Pixel Spacing). */
  pixelSpacingMm?: [number, number];
  sliceThicknessMm?: number;
  spacingBetweenSlicesMm?: number;
  imagePositionPatient?: [number, number, number];
  imageOrientationPatient?: [number, number, number, number, number, number];
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
  sopClassUID?: string;
  instanceNumber?: number;
  seriesDescription?: string;
  convolutionKernel?: string;
  manufacturer?: string;
}

/** Fields every single-channel, non-inverted image shares (PNG/JPEG, NIfTI): no photometric surprises. */
export const PLAIN_GRAY = {
  samplesPerPixel: 1,
  photometric: 'MONOCHROME2',
  invert: false,
  voiLutFunction: 'LINEAR',
} as const satisfies Pick<MedicalImage, 'samplesPerPixel' | 'photometric' | 'invert' | 'voiLutFunction'>;
