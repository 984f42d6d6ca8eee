import { buildReport, type AnalysisReport } from '../core/report/analysisReport.ts';
import type { SeriesAnalysis } from './seriesAnalysis.svelte.ts';

const APP_VERSION = '0.1.0';

/** The JSON report of a run: any module, its records and its series summary. */
export function reportFor(run: SeriesAnalysis, backend: string, summary: unknown = run.summary()): AnalysisReport {
  const s = run.series;
  return buildReport({
    appVersion: APP_VERSION,
    backend,
    analysis: run.module.id,
    series: {
      studyInstanceUID: s.studyInstanceUID || undefined,
      seriesInstanceUID: s.seriesInstanceUID || undefined,
      modality: s.modality || s.kind,
      kind: s.kind,
      sliceCount: s.slices.length,
    },
    slices: run.records(),
    summary,
    complete: run.status === 'done',
  });
}
