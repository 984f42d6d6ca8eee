/**
 * A physical check on the lesion model's output, for images with Hounsfield units (DICOM, NIfTI): a lesion
 * pixel must be where ground-glass opacity or consolidation can be. Chosen a priori from quantitative-CT
 * conventions, not fitted to any series:
 * - Normal aerated lung is about -850 HU; quantitative CT counts ground glass from about -750 HU up
 *   (consolidation from about -300 HU). A pixel whose local mean attenuation is below -750 HU is aerated
 *   lung, whatever the model says. The mean is over 3x3 pixels (~2-3 mm) so image noise (SD ~20-60 HU)
 *   neither punches holes in a real opacity nor lets lone noisy pixels of normal lung through.
 * - What is left of a lesion as a 2-D piece smaller than 10 mm² (a disc of ~3.5 mm) cannot be told from a
 *   vessel in cross-section or noise on CT; the opacities the model was trained for are centimetre-scale.
 * PNG/JPEG input has no HU: the gate is not applied there.
 */
import { connectedComponents } from '../../postprocess/connectedComponents.ts';

export const MIN_LESION_HU = -750;
export const MIN_LESION_PIECE_MM2 = 10;

/**
 * Clears, in place, the lesion pixels the gate rejects and returns how many were cleared. `hu`: the
 * slice's modality values (width x height, row-major); `pixelAreaMm2` null skips the size rule.
 */
export function gateLesionByHu(lesion: Uint8Array, hu: ArrayLike<number>, width: number, height: number, pixelAreaMm2: number | null): number {
  let cleared = 0;
  const gated = lesion.slice();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!lesion[i]) continue;
      let sum = 0, count = 0;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(height - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(width - 1, x + 1); xx++) {
          sum += hu[yy * width + xx];
          count++;
        }
      }
      if (sum / count < MIN_LESION_HU) gated[i] = 0;
    }
  }
  if (pixelAreaMm2 !== null) {
    const { labels, components } = connectedComponents(gated, width, height);
    const small = components.map((c) => c.area * pixelAreaMm2 < MIN_LESION_PIECE_MM2);
    for (let i = 0; i < gated.length; i++) if (labels[i] && small[labels[i] - 1]) gated[i] = 0;
  }
  for (let i = 0; i < lesion.length; i++) {
    if (lesion[i] && !gated[i]) cleared++;
    lesion[i] = gated[i];
  }
  return cleared;
}
