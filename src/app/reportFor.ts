import type { AnalysisReport } from '../core/report/analysisReport.ts';
import { buildReport } from '../core/report/analysisReport.ts';
import type { CtRecord, SliceRecord } from '../core/report/analysisRecords.ts';
import { summarizeCtSeries } from '../core/report/ctSeriesSummary.ts';
import { sliceSpacingMm } from '../core/report/sliceSpacing.ts';
import type { SeriesAnalysis } from './seriesAnalysis.svelte.ts';

export const APP_VERSION = '0.1.0';

/** CT series numbers: slice spacing scaled by the sampling stride (each result stands for `stride` slices). */
export function ctSummaryOf(run: SeriesAnalysis) {
  const spacing = sliceSpacingMm(run.series.slices.map((s) => s.header));
  const records = run.records() as SliceRecord<CtRecord>[];
  return summarizeCtSeries(records, spacing === null ? null : spacing * run.stride);
}

export function reportFor(run: SeriesAnalysis, backend: string): AnalysisReport {
  const s = run.series;
  return buildReport({
    appVersion: APP_VERSION,
    backend,
    analysis: run.kind,
    series: {
      studyInstanceUID: s.studyInstanceUID || undefined,
      seriesInstanceUID: s.seriesInstanceUID || undefined,
      modality: s.modality || s.kind,
      kind: s.kind,
      sliceCount: s.slices.length,
    },
    slices: run.records(),
    summary: run.kind === 'ct' ? ctSummaryOf(run) : null,
    complete: run.status === 'done',
  });
}
