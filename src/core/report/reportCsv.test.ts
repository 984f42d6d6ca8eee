import { describe, expect, it } from 'vitest';
import { ctSlicesCsv } from './reportCsv.ts';

describe('ctSlicesCsv', () => {
  it('writes a header and one row a slice, quoting cells that need it', () => {
    const csv = ctSlicesCsv([
      { index: 0, sopInstanceUID: '1.2,3', record: { infectionPercent: 7, lesionPercentOfLung: 5.5, lesionAreaPx: 10, lungAreaPx: 200, ggoAreaPx: 8, consolidationAreaPx: 2, lungFound: true, models: [] } },
    ]);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('slice,sopInstanceUID,infectionPercent,lesionPercentOfLung,lesionAreaMm2,lungAreaMm2,lesionAreaPx,lungAreaPx,ggoAreaPx,consolidationAreaPx');
    expect(lines[1]).toBe('1,"1.2,3",7,5.5,,,10,200,8,2');
  });
});
