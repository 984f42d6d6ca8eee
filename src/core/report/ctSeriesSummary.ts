import type { CtRecord, SliceRecord } from './analysisRecords.ts';
import { severityBand, type SeverityBand } from './severityBand.ts';

export interface CtSeriesSummary {
  slicesAnalysed: number;
  sliceSpacingMm: number | null;
  /** Σ area × slice spacing; null without pixel and slice spacing. */
  lungVolumeMl: number | null;
  lesionVolumeMl: number | null;
  /** Σ lesion px / Σ lung px over analysed slices (from the segmentation masks). */
  infectionPercentOfLung: number | null;
  severity: SeverityBand | null;
  /** Per-slice regression model output, averaged and at its maximum. */
  regressionPercentMean: number | null;
  regressionPercentMax: number | null;
}

export function summarizeCtSeries(slices: readonly SliceRecord<CtRecord>[], sliceSpacingMm: number | null): CtSeriesSummary {
  let lungPx = 0;
  let lesionPx = 0;
  let lungMm2 = 0;
  let lesionMm2 = 0;
  let haveMm2 = slices.length > 0;
  let regressionSum = 0;
  let regressionMax = -Infinity;
  for (const { record: r } of slices) {
    lungPx += r.lungAreaPx;
    lesionPx += r.lesionAreaPx;
    if (r.lungAreaMm2 === undefined || r.lesionAreaMm2 === undefined) haveMm2 = false;
    else {
      lungMm2 += r.lungAreaMm2;
      lesionMm2 += r.lesionAreaMm2;
    }
    regressionSum += r.infectionPercent;
    regressionMax = Math.max(regressionMax, r.infectionPercent);
  }
  const volume = (mm2: number): number | null =>
    haveMm2 && sliceSpacingMm !== null ? (mm2 * sliceSpacingMm) / 1000 : null;
  const percent = lungPx > 0 ? (100 * lesionPx) / lungPx : null;
  return {
    slicesAnalysed: slices.length,
    sliceSpacingMm,
    lungVolumeMl: volume(lungMm2),
    lesionVolumeMl: volume(lesionMm2),
    infectionPercentOfLung: percent,
    severity: percent === null ? null : severityBand(percent),
    regressionPercentMean: slices.length ? regressionSum / slices.length : null,
    regressionPercentMax: slices.length ? regressionMax : null,
  };
}
