/**
 * `--csv FILE`: the run's summary table, one row per image (or series), written row by row as
 * inputs finish (a killed run keeps its rows). The columns are given by the caller: the same
 * ones as the app's CSV export, so a cohort table and an exported one line up.
 */
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';

export type CsvCell = string | number | boolean | null | undefined;

/** RFC 4180 cell: quoted when it holds a comma, quote or line break. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export interface CsvSink {
  writeRows(rows: readonly (readonly CsvCell[])[]): void;
  close(): void;
}

/** Opens FILE: appending without a second header when resuming into an existing table, else a new table. */
export function openCsvOutput(file: string, header: readonly string[], append: boolean): CsvSink {
  let fd: number;
  let fresh = true;
  if (append) {
    fd = openSync(file, 'a');
    fresh = fstatSync(fd).size === 0;
  } else {
    fd = openSync(file, 'w');
  }
  if (fresh) writeSync(fd, csvLine(header));
  return {
    writeRows(rows) {
      if (rows.length) writeSync(fd, rows.map(csvLine).join(''));
    },
    close() {
      closeSync(fd);
    },
  };
}
