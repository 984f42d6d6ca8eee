/**
 * Facts the CT analyses need about their two models. They mirror the manifest entries written by
 * training/ct_regression/export_model.py and training/ct_segmentation/export_model.py;
 * `ctModelSpec.test.ts` checks the two agree.
 */

/** Lung-window HU range reproducing a training set's 8-bit crops: v8 = round(clamp((hu-lo)/(hi-lo),0,1)*255). */
export interface HuWindow {
  lo: number;
  hi: number;
}

const INTENSITY = { source: '8bit', scale: 1 / 255, mean: [0.5], std: [0.25] };

export const CT_REGRESSION = {
  id: 'ct-infection-regression',
  inputName: 'image',
  size: 128,
  intensity: INTENSITY,
  outputs: { linear: 'percent_linear', bins: 'percent_bins' },
  /**
   * Per-COVID-19 crops: fitted by least squares to three histogram peaks of the training PNGs
   * (outside air -1000 HU -> 68, fat -100 HU -> 219, soft tissue +40 HU -> 244).
   */
  windowHu: { lo: -1400, hi: 110 } as HuWindow,
} as const;

export const CT_SEGMENTATION = {
  id: 'ct-lesion-segmentation',
  inputName: 'image',
  size: 192,
  intensity: INTENSITY,
  outputs: { lesion: 'lesion', classes: 'classes' },
  /** Class order of the `classes` output. */
  labels: ['background', 'ground-glass opacity', 'consolidation'] as const,
  /**
   * MedSeg / Inf-Net crops are windowed differently: fitted to parenchyma -850 HU -> 45, fat -100 HU -> 188,
   * soft tissue +40 HU -> 210.
   */
  windowHu: { lo: -1090, hi: 270 } as HuWindow,
  /** Lesion where sigmoid(logit) > threshold, i.e. logit > logit(threshold). */
  threshold: 0.5,
} as const;
