import type { MedicalImage, VoiLutTable, VoiWindow } from '../image/medicalImage.ts';

export interface RenderOptions {
  /** Window in modality units; default: the image's first window, else its full range. */
  window?: VoiWindow;
  /** VOI LUT table; used instead of a window when given (or when the image has one and no window is given). */
  voiLut?: VoiLutTable;
  /** Invert the output; default `image.invert` (MONOCHROME1). */
  invert?: boolean;
}

/** Applies VOI (+ MONOCHROME1 inversion) to produce one 8-bit grey value per pixel (luma for RGB). */
export function renderToGray8(image: MedicalImage, options: RenderOptions = {}): Uint8Array {
  void image; void options;
  throw new Error('renderToGray8: implementation in progress');
}
