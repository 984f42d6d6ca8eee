/**
 * Which slices the CT models may judge. A slice with little lung -- the apex, the bases between the domes of
 * the diaphragm, or outside the chest -- becomes a small, mostly-pleura crop, unlike the whole-lung crops the
 * models were trained on; scaled up to the model's input it reads as disease. Such slices are "not assessed":
 * shown as such and left out of the series' model numbers (their lung still counts towards lung volume).
 */

export type NotAssessedReason = 'no-lung' | 'apex' | 'base';

export interface SliceAssessment {
  assessed: boolean;
  reason?: NotAssessedReason;
}

export interface AssessmentOptions {
  /** Assessed when the slice's lung area is at least this share of the widest slice's (apex side) ... */
  minShareOfWidest: number;
  /**
   * ... (feet side: below the widest level the domes of the diaphragm rise into the slice and the lung
   * becomes a rim around liver, spleen and stomach, which the models read as disease) ...
   */
  minShareOfWidestBase: number;
  /** ... and at least this many mm². */
  minAreaMm2: number;
}

const ASSESSMENT_DEFAULTS: AssessmentOptions = { minShareOfWidest: 0.25, minShareOfWidestBase: 0.5, minAreaMm2: 2000 };

export const NOT_ASSESSED_TEXT: Record<NotAssessedReason, string> = {
  'no-lung': 'not assessed: no lung on this slice (outside the chest)',
  apex: 'not assessed: too little lung to judge (apex)',
  base: 'not assessed: too little lung to judge (base)',
};

/** Assessment of every slice from its lung area (mm²); `superiorAtHighIndex` names apex vs base. */
export function assessSlices(
  lungAreaMm2: readonly number[],
  superiorAtHighIndex: boolean,
  options: Partial<AssessmentOptions> = {},
): SliceAssessment[] {
  const o = { ...ASSESSMENT_DEFAULTS, ...options };
  let widest = 0;
  for (let k = 1; k < lungAreaMm2.length; k++) if (lungAreaMm2[k] > lungAreaMm2[widest]) widest = k;
  const max = lungAreaMm2[widest] ?? 0;
  return lungAreaMm2.map((a, k) => {
    if (!(a > 0)) return { assessed: false, reason: 'no-lung' };
    const above = superiorAtHighIndex ? k > widest : k < widest;
    const share = above ? o.minShareOfWidest : o.minShareOfWidestBase;
    if (a >= o.minAreaMm2 && a >= share * max) return { assessed: true };
    return { assessed: false, reason: above ? 'apex' : 'base' };
  });
}
