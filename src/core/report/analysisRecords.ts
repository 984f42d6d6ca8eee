/**
 * The per-image numbers an analysis produces — the same objects `lunglens analyze --json`
 * prints (minus `file`), so the app's report and the CLI can be compared field by field.
 */
import type { CxrRecord as CxrImageRecord } from '../analyses/cxr/cxrRecord.ts';
import type { DetectionBox } from '../analyses/cxr/detectionBox.ts';

export interface ModelRef {
  id: string;
  version?: string;
}

export interface CtRecord {
  infectionPercent: number;
  lesionPercentOfLung: number | null;
  lesionAreaMm2?: number;
  lungAreaMm2?: number;
  lesionAreaPx: number;
  lungAreaPx: number;
  ggoAreaPx: number;
  consolidationAreaPx: number;
  lungFound: boolean;
  models: ModelRef[];
}

export type BoxRecord = DetectionBox;

/** What the CLI prints for a radiograph (cxrRecord.ts), plus the models that made it. */
export type CxrRecord = CxrImageRecord & { models?: ModelRef[] };

export type AnalysisKind = 'ct' | 'cxr';

export interface SliceRecord<R> {
  /** Position in the sorted series (0-based). */
  index: number;
  sopInstanceUID?: string;
  frame?: number;
  record: R;
}
