/**
 * The facts the CXR analysis needs about its four models (ids, output names, decode constants). They
 * mirror the manifest entries written by training/cxr/run.py; `cxrModelSpec.test.ts` checks the two agree.
 */
export const CXR_MODEL_IDS = {
  segmentation: 'cxr-segmentation',
  classification: 'cxr-classification',
  detectorA: 'cxr-detector-yolo',
  detectorB: 'cxr-detector-centernet',
} as const;

export const CXR_INPUT = {
  name: 'image',
  size: 128,
  intensity: { source: '8bit', scale: 1 / 255, mean: [0.5], std: [0.25] },
} as const;

export const CXR_LABELS = ['COVID-19', 'other pneumonia', 'normal'] as const;

export const CXR_DETECTION = {
  yoloStride: 16,
  centerNetStride: 4,
  /** Candidates kept for the full precision-recall curve (mAP); the UI filters by `displayScore`. */
  scoreMin: 0.01,
  nmsIou: 0.4,
  maxDetections: 20,
  wbfIou: 0.55,
  displayScore: 0.3,
} as const;
