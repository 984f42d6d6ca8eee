/**
 * One CT slice (MedicalImage) -> the lung region and each CT model's input tensor, exactly as the training
 * pipeline prepared its images: 8-bit lung-window crop, bilinear half-pixel resize to the model size,
 * x = (v/255 - 0.5) / 0.25.
 *
 * DICOM: HU -> lung finder -> crop box; each model gets the crop windowed with the window fitted to its own
 * training set. PNG/JPEG: the file *is* the windowed lung crop (8-bit grey, RGB -> PIL's 'L' luma), so it is
 * fed whole and the lung mask is a grey-level threshold of the whole image (see lungCrop.ts).
 */
import type { MedicalImage } from '../../image/medicalImage.ts';
import type { Rect } from '../../imageOps/raster.ts';
import { cropResize } from '../../imageOps/crop.ts';
import type { Placement } from '../../imageOps/placement.ts';
import { normalizeToTensor } from '../../imageOps/normalize.ts';
import { windowToUint8 } from '../../imageOps/window.ts';
import type { Tensor } from '../../runtime/tensor.ts';
import { CT_REGRESSION, type HuWindow } from './ctModelSpec.ts';
import { findLungsGray8, findLungsHu, huToGray8, type LungRegion } from './lungCrop.ts';

export interface CtModelInput {
  tensor: Tensor;
  /** Input grid -> source image mapping (to bring masks back to the slice's own size). */
  placement: Placement;
}

export interface CtModelInputSpec {
  size: number;
  intensity: { source: string; scale: number; mean: number[]; std: number[] };
  windowHu: HuWindow;
}

const cache = new WeakMap<MedicalImage, LungRegion>();

export function isCtDicom(image: MedicalImage): boolean {
  return image.kind === 'dicom';
}

/** 8-bit grey of a PNG/JPEG MedicalImage; RGB is converted like PIL `convert('L')` (ITU-R 601, fixed point). */
export function gray8Of(image: MedicalImage): Uint8Array {
  const n = image.rows * image.columns;
  const out = new Uint8Array(n);
  const p = image.pixels;
  if (image.samplesPerPixel === 3) {
    for (let i = 0; i < n; i++) {
      out[i] = (p[3 * i] * 19595 + p[3 * i + 1] * 38470 + p[3 * i + 2] * 7471 + 0x8000) >> 16;
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = Math.max(0, Math.min(255, Math.round(p[i])));
  }
  return out;
}

/** The slice's lung region (computed once per MedicalImage and shared by the CT analyses). */
export function lungRegionOf(image: MedicalImage): LungRegion {
  let region = cache.get(image);
  if (!region) {
    region = isCtDicom(image)
      ? findLungsHu(image.pixels, image.columns, image.rows, image.pixelSpacingMm)
      : findLungsGray8(gray8Of(image), image.columns, image.rows, pngLungThreshold8());
    cache.set(image, region);
  }
  return region;
}

/**
 * Grey level of -320 HU for PNG/JPEG inputs. Such a file could come from either training set's window;
 * the midpoint of the two (182 under Per-COVID-19's, 144 under MedSeg's) is used.
 */
export function pngLungThreshold8(): number {
  const a = huToGray8(-320, CT_REGRESSION.windowHu.lo, CT_REGRESSION.windowHu.hi);
  const b = huToGray8(-320, -1090, 270);
  return Math.round((a + b) / 2);
}

/** 8-bit grey image the model sees before cropping: windowed HU for DICOM, the file itself for PNG/JPEG. */
export function gray8ForModel(image: MedicalImage, windowHu: HuWindow): Uint8Array {
  if (!isCtDicom(image)) return gray8Of(image);
  if (image.samplesPerPixel !== 1) throw new Error('CT DICOM with more than one sample per pixel');
  return windowToUint8(image.pixels, (windowHu.lo + windowHu.hi) / 2, windowHu.hi - windowHu.lo);
}

export function modelInput(image: MedicalImage, spec: CtModelInputSpec, box?: Rect): CtModelInput {
  const gray = gray8ForModel(image, spec.windowHu);
  const src = { width: image.columns, height: image.rows, channels: 1, data: Float32Array.from(gray) };
  const rect = box ?? lungRegionOf(image).box;
  const { raster, placement } = cropResize(src, rect, spec.size, spec.size);
  return { tensor: normalizeToTensor(raster, spec.intensity, 'NCHW', 1), placement };
}
