/**
 * The CSV of an analysed series: one row a slice, the columns the analysis module declares
 * (`csvColumns`), numbers unrounded beyond what the record holds.
 */
import type { AnalysisModule, AnalysisRecord, CsvColumn, SliceRecord } from '../analyses/analysisModule.ts';

/** The two columns every analysis starts with: 1-based position (named `slice` or `image`) and the SOP Instance UID. */
export function positionColumns<R>(name: string): CsvColumn<R>[] {
  return [
    { header: name, value: (s) => s.index + 1 },
    { header: 'sopInstanceUID', value: (s) => s.sopInstanceUID },
  ];
}

export function slicesCsv<R extends AnalysisRecord>(module: AnalysisModule<R, unknown>, slices: readonly SliceRecord<R>[]): string {
  const columns = module.csvColumns(slices);
  const rows = slices.map((s) => columns.map((c) => c.value(s)));
  return toCsv([columns.map((c) => c.header), ...rows]);
}

export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

function csvCell(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
