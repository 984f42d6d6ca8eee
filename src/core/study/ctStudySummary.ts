/**
 * The numbers of one CT series, from its analysed slices' outputs and the whole-series lung segmentation.
 * Lung volumes count every slice with lung; the model numbers count assessed slices only (sliceAssessment.ts).
 * Each slice is weighted by the lung volume it stands for (lung area × its slab), so a sliver at the apex
 * weighs little and uneven spacing or gaps in z are handled. Rounded here, once: the app's report and the
 * CLI's series record are this object, so they agree by construction.
 */
import { severityBand, type SeverityBand } from '../report/severityBand.ts';
import type { LesionInstance } from './lesionInstances.ts';

/** One analysed slice as the summary needs it (areas in pixels of that slice). */
export interface StudySliceNumbers {
  /** Series index (0-based). */
  index: number;
  assessed: boolean;
  /** Lung mask area: the series' lung on this slice, plus lesion pixels the lesion model added. */
  lungAreaPx: number;
  leftLungAreaPx: number;
  rightLungAreaPx: number;
  /** Lesion model output (0 on slices not assessed). */
  lesionAreaPx: number;
  /** Regression model output (null when the slice was not assessed). */
  regressionPercent: number | null;
}

export interface CtStudySummary {
  /** Slices the models judged (assessed slices). */
  slicesAnalysed: number;
  sliceSpacingMm: number | null;
  lungVolumeMl: number | null;
  leftLungVolumeMl: number | null;
  rightLungVolumeMl: number | null;
  lesionVolumeMl: number | null;
  /** Lesion volume / lung volume of the assessed slices × 100 (area-based when volumes are unknown). */
  infectionPercentOfLung: number | null;
  /** Regression output over assessed slices, weighted by lung volume, and its maximum. */
  regressionPercentMean: number | null;
  regressionPercentMax: number | null;
  severity: SeverityBand | null;
  lesions: LesionInstance[];
}

export interface StudySummaryInput {
  slices: readonly StudySliceNumbers[];
  /** Pixel area (mm²); null without pixel spacing. */
  pixelAreaMm2: number | null;
  /** Slab (mm) of each series index analysed; null when z is unknown. */
  weightsMm: ReadonlyMap<number, number> | null;
  sliceSpacingMm: number | null;
  lesions: readonly LesionInstance[];
}

function round(v: number | null, digits: number): number | null {
  if (v === null || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function summarizeCtStudy(input: StudySummaryInput): CtStudySummary {
  const { slices, pixelAreaMm2, weightsMm } = input;
  const volumes = pixelAreaMm2 !== null && weightsMm !== null;
  // Without geometry every slice weighs the same and "volumes" are pixel sums (used for ratios only).
  const w = (k: number): number => (weightsMm ? weightsMm.get(k) ?? 0 : 1);
  const ml = (px: number): number | null => (volumes ? (px * pixelAreaMm2) / 1000 : null);
  let lung = 0, left = 0, right = 0, assessedLung = 0, lesion = 0, regSum = 0, regWeight = 0;
  let regMax: number | null = null, assessed = 0;
  for (const s of slices) {
    const wk = w(s.index);
    lung += s.lungAreaPx * wk;
    left += s.leftLungAreaPx * wk;
    right += s.rightLungAreaPx * wk;
    if (!s.assessed) continue;
    assessed++;
    assessedLung += s.lungAreaPx * wk;
    lesion += s.lesionAreaPx * wk;
    if (s.regressionPercent !== null) {
      regSum += s.regressionPercent * s.lungAreaPx * wk;
      regWeight += s.lungAreaPx * wk;
      regMax = Math.max(regMax ?? -Infinity, s.regressionPercent);
    }
  }
  const infection = assessedLung > 0 ? (100 * lesion) / assessedLung : null;
  return {
    slicesAnalysed: assessed,
    sliceSpacingMm: round(input.sliceSpacingMm, 2),
    lungVolumeMl: round(ml(lung), 1),
    leftLungVolumeMl: round(ml(left), 1),
    rightLungVolumeMl: round(ml(right), 1),
    lesionVolumeMl: round(ml(lesion), 2),
    infectionPercentOfLung: round(infection, 2),
    regressionPercentMean: round(regWeight > 0 ? regSum / regWeight : null, 2),
    regressionPercentMax: regMax,
    severity: infection === null ? null : severityBand(round(infection, 2)!),
    lesions: input.lesions.map((l) => ({
      ...l,
      volumeMl: round(l.volumeMl, 3),
      ggoShare: round(l.ggoShare, 3)!,
      consolidationShare: round(l.consolidationShare, 3)!,
      largestAreaMm2: round(l.largestAreaMm2, 1),
    })),
  };
}
