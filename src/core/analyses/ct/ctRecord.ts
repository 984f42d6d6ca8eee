/**
 * What `lunglens analyze --json` prints for one CT image (after `file`, `modality`, `frame`), the app's
 * report holds per slice and the CSV reads: the regression model's infection % beside the segmentation
 * masks' numbers. Key order is the JSON's order.
 *
 * A slice the whole-series analysis marks "not assessed" (too little lung to judge, src/core/study/) is
 * gated as issue 11's input gate asks: `assessed: false`, a `reason`, its lung area (lung volume counts it)
 * and no model numbers -- the models do not run on it.
 */
import type { Rect } from '../../imageOps/raster.ts';
import type { AnalysisRecord, ModelRef } from '../analysisModule.ts';
import type { CtInfectionResult } from './ctInfectionAnalysis.ts';
import type { CtLesionResult } from './ctLesionAnalysis.ts';
import type { LungRegion } from './lungCrop.ts';

/** What every CT record has: the lung of the slice. */
interface CtLungFields extends AnalysisRecord {
  warning?: string;
  /** Present when the image has pixel spacing (DICOM); 1 decimal. */
  lungAreaMm2?: number;
  lungAreaPx: number;
  lungFound: boolean;
  /** Crop the models saw (or would have seen), in source pixels. */
  lungBox: Rect;
  /** Lung area per side, when the slice was analysed as part of a whole series. */
  leftLungAreaPx?: number;
  rightLungAreaPx?: number;
}

/** A slice the models judged. `assessed` is true with a study context, absent without one. */
export interface CtAssessedRecord extends CtLungFields {
  assessed?: true;
  /** Regression model, integer 0..100. */
  infectionPercent: number;
  /** Masks: lesion / lung area in % (2 decimals); null when no lung was found. */
  lesionPercentOfLung: number | null;
  /** Present when the image has pixel spacing (DICOM); 1 decimal. */
  lesionAreaMm2?: number;
  lesionAreaPx: number;
  ggoAreaPx: number;
  consolidationAreaPx: number;
  lesionOutsideLungPx: number;
  /** The regression's two heads before combining (3 decimals). */
  heads: { linear: number; expectation: number };
}

/** A slice of a whole series with too little lung to judge: no model numbers. */
export interface CtNotAssessedRecord extends CtLungFields {
  assessed: false;
  /** Why not assessed, in words (e.g. "not assessed: too little lung to judge (apex)"). */
  reason: string;
}

export type CtRecord = CtAssessedRecord | CtNotAssessedRecord;

export function isAssessed(r: CtRecord): r is CtAssessedRecord {
  return r.assessed !== false;
}

export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function ctRecord(infection: CtInfectionResult, lesion: CtLesionResult, warning: string | undefined, models: ModelRef[]): CtAssessedRecord {
  const record = {
    infectionPercent: infection.infectionPercent,
    lesionPercentOfLung: lesion.lesionPercentOfLung === null ? null : round(lesion.lesionPercentOfLung, 2),
  } as CtAssessedRecord;
  if (warning) record.warning = warning;
  if (lesion.lesionAreaMm2 !== undefined) record.lesionAreaMm2 = round(lesion.lesionAreaMm2, 1);
  if (lesion.lungAreaMm2 !== undefined) record.lungAreaMm2 = round(lesion.lungAreaMm2, 1);
  return Object.assign(record, {
    lesionAreaPx: lesion.lesionAreaPx,
    lungAreaPx: lesion.lungAreaPx,
    ggoAreaPx: lesion.ggoAreaPx,
    consolidationAreaPx: lesion.consolidationAreaPx,
    lesionOutsideLungPx: lesion.lesionOutsideLungPx,
    lungFound: lesion.lungFound,
    lungBox: lesion.lungBox,
    heads: { linear: round(infection.heads.linear, 3), expectation: round(infection.heads.expectation, 3) },
    models,
  });
}

/** The record of a slice not assessed: its lung (from the series' lungs) and why. */
export function ctNotAssessedRecord(
  lung: LungRegion,
  pixelSpacingMm: [number, number] | undefined,
  reason: string,
  models: ModelRef[],
): CtNotAssessedRecord {
  const record = {} as CtNotAssessedRecord;
  if (pixelSpacingMm) record.lungAreaMm2 = round(lung.areaPx * pixelSpacingMm[0] * pixelSpacingMm[1], 1);
  return Object.assign(record, { lungAreaPx: lung.areaPx, lungFound: lung.found, lungBox: lung.box, models, assessed: false as const, reason });
}
