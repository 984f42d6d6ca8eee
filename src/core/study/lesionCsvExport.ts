/**
 * The lesion instances of a CT series as a CSV file: one of the CT module's exports, so the panel shows a
 * button for it and it reads the same summary the JSON report carries.
 */
import type { AnalysisExport } from '../analyses/analysisModule.ts';
import type { CtRecord } from '../analyses/ct/ctRecord.ts';
import { toCsv } from '../report/csv.ts';
import type { CtStudySummary } from './ctStudySummary.ts';

const HEADER = ['lesion', 'volumeMl', 'side', 'firstSlice', 'lastSlice', 'largestSlice', 'largestAreaMm2', 'ggoShare', 'consolidationShare'];

function lesionsCsv(summary: CtStudySummary): string {
  // slices 1-based, as everywhere a person reads them
  const rows = summary.lesions.map((l) => [
    l.id, l.volumeMl, l.side, l.firstSlice + 1, l.lastSlice + 1, l.largestSlice + 1, l.largestAreaMm2, l.ggoShare, l.consolidationShare,
  ]);
  return toCsv([HEADER, ...rows]);
}

export const lesionCsvExport: AnalysisExport<CtRecord, CtStudySummary> = {
  id: 'lesions-csv',
  label: 'Lesions (CSV)',
  async build(input) {
    if (!input.summary) throw new Error('no series summary yet: run the analysis first');
    const name = `${input.series.seriesInstanceUID || 'series'}.lesions.csv`;
    return [{ name, mediaType: 'text/csv', bytes: new TextEncoder().encode(lesionsCsv(input.summary)) }];
  },
};
