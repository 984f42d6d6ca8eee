/**
 * The JSON report a user exports: the series, the analysis that ran, its models, every slice's record and
 * the analysis' series summary. Everything in it stays on the device unless the user shares it.
 */
import type { AnalysisRecord, ModelRef, SliceRecord } from '../analyses/analysisModule.ts';

export interface AnalysisReport<R extends AnalysisRecord = AnalysisRecord, S = unknown> {
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
  /** The analysis module's id. */
  analysis: string;
  models: ModelRef[];
  slices: SliceRecord<R>[];
  summary: S | null;
  complete: boolean;
}

const disclaimer =
  'Research use only. LungLens is not a medical device and must not be used for diagnosis or treatment decisions.';

export interface ReportInput<R extends AnalysisRecord, S> {
  appVersion: string;
  backend: string;
  analysis: string;
  series: { studyInstanceUID?: string; seriesInstanceUID?: string; modality: string; kind: string; sliceCount: number };
  slices: SliceRecord<R>[];
  summary: S | null;
  complete: boolean;
  now?: Date;
}

export function buildReport<R extends AnalysisRecord, S>(input: ReportInput<R, S>): AnalysisReport<R, S> {
  const slices = [...input.slices].sort((a, b) => a.index - b.index);
  const models = new Map<string, ModelRef>();
  for (const s of slices) for (const m of s.record.models) models.set(m.id, m);
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
