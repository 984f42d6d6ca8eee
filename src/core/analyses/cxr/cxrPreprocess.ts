import type { MedicalImage } from '../../image/medicalImage.ts';
import type { Raster } from '../../imageOps/raster.ts';
import { resizeBilinear } from '../../imageOps/resizeBilinear.ts';
import { normalizeToTensor, type IntensitySpec } from '../../imageOps/normalize.ts';
import { stretchPlacement, type Placement } from '../../imageOps/placement.ts';
import type { Tensor } from '../../runtime/tensor.ts';
import { renderToGray8 } from '../../dicom/renderToGray8.ts';
import { areaResize } from './areaResize.ts';

/** The model tensor plus what is needed to map outputs back to the input's pixels. */
export interface CxrInput {
  tensor: Tensor;
  /** The 8-bit model-size image the tensor was made from (for previews and card images). */
  gray: Raster;
  /** Whole input stretched onto the whole model grid (the training images are stretched squares). */
  placement: Placement;
}

/**
 * A radiograph as the training PNGs look: 8-bit, air dark. DICOM CR/DX go through the DICOM
 * pipeline's display rendering (modality LUT, VOI LUT or window - else the full range -, MONOCHROME1
 * inverted, bit depth -> 8 bit), the seed-002 preprocessing. PNG/JPEG are used as decoded (RGB -> luma
 * with PIL's 'L' weights, the conversion training used).
 */
export function cxrGray8(image: MedicalImage): Raster {
  const { rows, columns } = image;
  const out = new Float32Array(rows * columns);
  if (image.kind === 'dicom' || image.bitsStored > 8 || image.invert) {
    const g = renderToGray8(image);
    for (let i = 0; i < out.length; i++) out[i] = g[i];
  } else if (image.samplesPerPixel === 3) {
    const p = image.pixels;
    for (let i = 0; i < out.length; i++) {
      // PIL convert('L'): L = R*299/1000 + G*587/1000 + B*114/1000, truncated
      out[i] = Math.floor((p[3 * i] * 299 + p[3 * i + 1] * 587 + p[3 * i + 2] * 114) / 1000);
    }
  } else {
    for (let i = 0; i < out.length; i++) out[i] = image.pixels[i];
  }
  return { width: columns, height: rows, channels: 1, data: out };
}

/**
 * 8-bit gray (any size) -> model tensor [1, 1, size, size]. Downscaling is an area average (the
 * training's 2x2 mean for 256-px inputs, alias-free for 2000-px radiographs); upscaling (inputs smaller
 * than the model) is bilinear half-pixel. Values are not rounded: training fed the float 2x2 mean.
 */
export function prepareCxrInput(gray: Raster, size: number, intensity: IntensitySpec): CxrInput {
  const resized = gray.width >= size && gray.height >= size
    ? areaResize(gray, size, size)
    : resizeBilinear(gray, size, size);
  return {
    tensor: normalizeToTensor(resized, intensity, 'NCHW', 1),
    gray: resized,
    placement: stretchPlacement(gray.width, gray.height, size, size),
  };
}
