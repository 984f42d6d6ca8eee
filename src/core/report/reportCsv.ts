import type { CtRecord, CxrRecord, SliceRecord } from './analysisRecords.ts';

const ctColumns = ['slice', 'sopInstanceUID', 'infectionPercent', 'lesionPercentOfLung', 'lesionAreaMm2', 'lungAreaMm2', 'lesionAreaPx', 'lungAreaPx', 'ggoAreaPx', 'consolidationAreaPx'] as const;

/** One row a slice, for spreadsheets. Numbers unrounded beyond what the record holds. */
export function ctSlicesCsv(slices: readonly SliceRecord<CtRecord>[]): string {
  const rows = slices.map((s) => [
    s.index + 1, s.sopInstanceUID ?? '', s.record.infectionPercent, s.record.lesionPercentOfLung ?? '',
    s.record.lesionAreaMm2 ?? '', s.record.lungAreaMm2 ?? '', s.record.lesionAreaPx, s.record.lungAreaPx,
    s.record.ggoAreaPx, s.record.consolidationAreaPx,
  ]);
  return toCsv([ctColumns as readonly string[], ...rows]);
}

export function cxrSlicesCsv(slices: readonly SliceRecord<CxrRecord>[]): string {
  const labels = slices[0] ? Object.keys(slices[0].record.classification.probabilities) : [];
  const header = ['image', 'sopInstanceUID', 'label', ...labels.map((l) => `p(${l})`), 'infectionPercentOfLung', 'boxesA', 'boxesB', 'boxesEnsemble'];
  const rows = slices.map((s) => [
    s.index + 1, s.sopInstanceUID ?? '', s.record.classification.label,
    ...labels.map((l) => s.record.classification.probabilities[l]), s.record.infectionPercentOfLung,
    s.record.detections.A.length, s.record.detections.B.length, s.record.detections.ensemble.length,
  ]);
  return toCsv([header, ...rows]);
}

function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
