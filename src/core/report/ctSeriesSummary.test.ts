import { describe, expect, it } from 'vitest';
import type { CtRecord, SliceRecord } from './analysisRecords.ts';
import { summarizeCtSeries } from './ctSeriesSummary.ts';

const slice = (index: number, lungPx: number, lesionPx: number, regression: number, mm2PerPx?: number): SliceRecord<CtRecord> => ({
  index,
  record: {
    infectionPercent: regression,
    lesionPercentOfLung: lungPx ? (100 * lesionPx) / lungPx : null,
    lungAreaPx: lungPx,
    lesionAreaPx: lesionPx,
    lungAreaMm2: mm2PerPx === undefined ? undefined : lungPx * mm2PerPx,
    lesionAreaMm2: mm2PerPx === undefined ? undefined : lesionPx * mm2PerPx,
    ggoAreaPx: lesionPx,
    consolidationAreaPx: 0,
    lungFound: lungPx > 0,
    models: [],
  },
});

describe('summarizeCtSeries', () => {
  it('adds areas over slices and multiplies by the slice spacing', () => {
    // 2 slices x 10,000 px of lung at 0.5 mm² a pixel = 10,000 mm² ; x 5 mm = 50 mL.
    const s = summarizeCtSeries([slice(0, 10_000, 1_000, 10, 0.5), slice(1, 10_000, 3_000, 30, 0.5)], 5);
    expect(s.lungVolumeMl).toBeCloseTo(50);
    expect(s.lesionVolumeMl).toBeCloseTo(10);
    expect(s.infectionPercentOfLung).toBeCloseTo(20);
    expect(s.severity?.label).toBe('mild');
    expect(s.regressionPercentMean).toBe(20);
    expect(s.regressionPercentMax).toBe(30);
  });
  it('gives no volume without pixel or slice spacing but still a percentage', () => {
    const s = summarizeCtSeries([slice(0, 100, 60, 50)], null);
    expect(s.lungVolumeMl).toBeNull();
    expect(s.infectionPercentOfLung).toBeCloseTo(60);
    expect(s.severity?.label).toBe('severe');
  });
  it('has no percentage when no lung was found', () => {
    expect(summarizeCtSeries([slice(0, 0, 0, 0)], 1).infectionPercentOfLung).toBeNull();
  });
});
