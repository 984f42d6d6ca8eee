/**
 * The per-image numbers an analysis produces — the same objects `lunglens analyze --json`
 * prints (minus `file`), so the app's report and the CLI can be compared field by field.
 */
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

export interface BoxRecord {
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
}

export interface CxrRecord {
  classification: { label: string; probabilities: Record<string, number> };
  detections: { A: BoxRecord[]; B: BoxRecord[]; ensemble: BoxRecord[] };
  infectionPercentOfLung: number;
  models?: ModelRef[];
}

export type AnalysisKind = 'ct' | 'cxr';

export interface SliceRecord<R> {
  /** Position in the sorted series (0-based). */
  index: number;
  sopInstanceUID?: string;
  frame?: number;
  record: R;
}
