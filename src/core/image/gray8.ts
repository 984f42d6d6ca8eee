import type { MedicalImage } from './medicalImage.ts';

/**
 * The 8-bit grey values of a PNG/JPEG MedicalImage, as the training images were read. The one RGB -> grey
 * conversion (PIL `convert('L')`) happens when the file is decoded (ingest/rasterImage.ts), so pixels here
 * are already one grey sample each; 16-bit PNGs are clamped like PIL's 'L' mode would not be asked to.
 */
export function gray8Of(image: MedicalImage): Uint8Array {
  if (image.samplesPerPixel !== 1) throw new Error(`${image.source}: expected one grey sample per pixel`);
  const n = image.rows * image.columns;
  const out = new Uint8Array(n);
  const p = image.pixels;
  for (let i = 0; i < n; i++) out[i] = Math.max(0, Math.min(255, Math.round(p[i])));
  return out;
}
