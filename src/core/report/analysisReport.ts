import type { AnalysisKind, CtRecord, CxrRecord, ModelRef, SliceRecord } from './analysisRecords.ts';
import type { CtSeriesSummary } from './ctSeriesSummary.ts';

/** The JSON report a user exports. Everything in it stays on the device unless they share it. */
export interface AnalysisReport {
  schema: 'lunglens-report/1';
  generatedAt: string;
  disclaimer: string;
  app: { name: 'LungLens'; version: string };
  backend: string;
  input: {
    studyInstanceUID?: string;
    seriesInstanceUID?: string;
    modality: string;
    kind: string;
    sliceCount: number;
    /** SOP Instance UIDs of the analysed images, in series order. */
    sopInstanceUIDs: string[];
  };
  analysis: AnalysisKind;
  models: ModelRef[];
  slices: SliceRecord<CtRecord | CxrRecord>[];
  summary: CtSeriesSummary | null;
  complete: boolean;
}

export const disclaimer =
  'Research use only. LungLens is not a medical device and must not be used for diagnosis or treatment decisions.';

export interface ReportInput {
  appVersion: string;
  backend: string;
  analysis: AnalysisKind;
  series: { studyInstanceUID?: string; seriesInstanceUID?: string; modality: string; kind: string; sliceCount: number };
  slices: SliceRecord<CtRecord | CxrRecord>[];
  summary: CtSeriesSummary | null;
  complete: boolean;
  now?: Date;
}

export function buildReport(input: ReportInput): AnalysisReport {
  const slices = [...input.slices].sort((a, b) => a.index - b.index);
  const models = new Map<string, ModelRef>();
  for (const s of slices) for (const m of s.record.models ?? []) models.set(m.id, m);
  return {
    schema: 'lunglens-report/1',
    generatedAt: (input.now ?? new Date()).toISOString(),
    disclaimer,
    app: { name: 'LungLens', version: input.appVersion },
    backend: input.backend,
    input: {
      ...input.series,
      sopInstanceUIDs: slices.map((s) => s.sopInstanceUID).filter((u): u is string => !!u),
    },
    analysis: input.analysis,
    models: [...models.values()],
    slices,
    summary: input.summary,
    complete: input.complete,
  };
}
