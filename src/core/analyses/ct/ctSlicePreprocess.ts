/**
 * One CT slice (MedicalImage) -> the lung region and a CT model's input, exactly as the training pipeline
 * prepared its images: 8-bit lung-window crop, then the model's manifest `input` (size, resize, intensity).
 *
 * DICOM: HU -> lung finder -> crop box; each model gets the crop windowed with its own entry's
 * `extra.windowHu` (fitted to its training set). PNG/JPEG: the file *is* the windowed lung crop (8-bit grey,
 * RGB -> PIL's 'L' luma), so it is fed whole and the lung mask is a grey-level threshold (see lungCrop.ts).
 */
import type { MedicalImage } from '../../image/medicalImage.ts';
import { gray8Of } from '../../image/gray8.ts';
import { modelInput, type ModelInput } from '../../imageOps/modelInput.ts';
import type { Rect } from '../../imageOps/raster.ts';
import { windowToUint8 } from '../../imageOps/window.ts';
import type { ModelEntry } from '../../runtime/manifest.ts';
import { windowHuOf, type HuWindow } from '../../runtime/modelFacts.ts';
import { findLungsGray8, findLungsHu, huToGray8, type LungRegion } from './lungCrop.ts';
import { hasModalityValues } from '../../image/medicalImage.ts';

const cache = new WeakMap<MedicalImage, { threshold8: number; region: LungRegion }>();

/**
 * The slice's lung region (computed once per MedicalImage and shared by the CT models). `windows`: the
 * models' training windows, which place -320 HU on a PNG's grey scale.
 */
export function lungRegionOf(image: MedicalImage, windows: readonly HuWindow[]): LungRegion {
  const threshold8 = hasModalityValues(image.kind) ? NaN : pngLungThreshold8(windows);
  const hit = cache.get(image);
  if (hit && (hasModalityValues(image.kind) || hit.threshold8 === threshold8)) return hit.region;
  const region = hasModalityValues(image.kind)
    ? findLungsHu(image.pixels, image.columns, image.rows, image.pixelSpacingMm)
    : findLungsGray8(gray8Of(image), image.columns, image.rows, threshold8);
  cache.set(image, { threshold8, region });
  return region;
}

/**
 * Grey level of -320 HU for PNG/JPEG inputs. Such a file could come from any of the models' training
 * windows; the mean of their levels (182 under Per-COVID-19's, 144 under MedSeg's) is used.
 */
function pngLungThreshold8(windows: readonly HuWindow[]): number {
  if (!windows.length) throw new Error('pngLungThreshold8: no training window');
  const levels = windows.map((w) => huToGray8(-320, w.lo, w.hi));
  return Math.round(levels.reduce((a, b) => a + b, 0) / levels.length);
}

/** 8-bit grey image the model sees before cropping: windowed HU for DICOM, the file itself for PNG/JPEG. */
export function gray8ForModel(image: MedicalImage, windowHu: HuWindow): Uint8Array {
  if (!hasModalityValues(image.kind)) return gray8Of(image);
  if (image.samplesPerPixel !== 1) throw new Error('CT DICOM with more than one sample per pixel');
  return windowToUint8(image.pixels, (windowHu.lo + windowHu.hi) / 2, windowHu.hi - windowHu.lo);
}

/** The input tensor of the CT model `entry` for the lung box `box` of `image`. */
export function ctModelInput(image: MedicalImage, entry: ModelEntry, box: Rect): ModelInput {
  const gray = gray8ForModel(image, windowHuOf(entry));
  const src = { width: image.columns, height: image.rows, channels: 1, data: Float32Array.from(gray) };
  return modelInput(src, entry.input, box);
}
