import { renderToGray8 } from '../../dicom/renderToGray8.ts';
import { gray8Of } from '../../image/gray8.ts';
import type { MedicalImage } from '../../image/medicalImage.ts';
import type { Raster } from '../../imageOps/raster.ts';

/**
 * A radiograph as the training PNGs look: 8-bit, air dark. DICOM CR/DX go through the DICOM pipeline's
 * display rendering (modality LUT, VOI LUT or window - else the full range -, MONOCHROME1 inverted, bit
 * depth -> 8 bit), the seed-002 preprocessing; so do 16-bit PNGs. 8-bit PNG/JPEG are used as decoded.
 * Each model's manifest `input` then resizes and normalises it (imageOps/modelInput.ts).
 */
export function cxrGray8(image: MedicalImage): Raster {
  const g = image.kind === 'dicom' || image.bitsStored > 8 || image.invert ? renderToGray8(image) : gray8Of(image);
  return { width: image.columns, height: image.rows, channels: 1, data: Float32Array.from(g) };
}
