/**
 * `lunglens analyze <folder>` on the shared 30-slice real CT series: one series record first (exactly the
 * summary fields), then the slices' records; the series numbers agree with the slices' own, and the bundled
 * models read this non-COVID series as healthy (issue 11's study-level check).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeFiles, parseAnalyzeArgs } from '../analyzeCommand.ts';
import { createNodeAnalysisContext } from '../../core/runtime/nodeContext.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const dir = path.resolve(repo, '../shared/data/ct-series/lung-pet-ct-dx-a0002');

describe.skipIf(!existsSync(dir))('analyze: a CT series folder', () => {
  it('prints the series record, then 30 slice records that add up to it; the bundled models pass the negative control', async () => {
    const ctx = await createNodeAnalysisContext(path.join(repo, 'models'), { threads: 1 });
    try {
      const out = await analyzeFiles(parseAnalyzeArgs([dir, '--json']), ctx) as Record<string, any>[];
      expect(out).toHaveLength(31);
      const [series, ...slices] = out;
      expect(Object.keys(series)).toEqual(['series', 'modality', 'files', 'summary']);
      expect(series).toMatchObject({ modality: 'ct', files: 30 });
      const s = series.summary;
      expect(Object.keys(s)).toEqual(['slicesAnalysed', 'sliceSpacingMm', 'lungVolumeMl', 'leftLungVolumeMl', 'rightLungVolumeMl',
        'lesionVolumeMl', 'infectionPercentOfLung', 'regressionPercentMean', 'regressionPercentMax', 'severity', 'lesions']);
      expect(s.sliceSpacingMm).toBe(8);
      // uniform 8 mm: volume = Σ slice lung area × 8 mm
      const lungMl = slices.reduce((a, r) => a + r.lungAreaMm2, 0) * 8 / 1000;
      expect(Math.abs(s.lungVolumeMl - lungMl)).toBeLessThan(0.5);
      expect(Math.abs(s.leftLungVolumeMl + s.rightLungVolumeMl - s.lungVolumeMl)).toBeLessThan(0.2);
      const assessed = slices.filter((r) => r.assessed);
      expect(s.slicesAnalysed).toBe(assessed.length);
      expect(slices.filter((r) => r.assessed === false).every((r) => /not assessed/.test(r.reason) && r.infectionPercent === undefined && r.lesionAreaPx === undefined)).toBe(true);
      expect(s.regressionPercentMax).toBe(Math.max(...assessed.map((r) => r.infectionPercent)));
      // Issue 11's negative control with the bundled models: no model was trained on this series, which has no
      // COVID-19 (a lung tumour): no assessed slice above 15 %, mean <= 3 %, lesion <= 1 % of the lung volume.
      expect(s.regressionPercentMax).toBeLessThanOrEqual(15);
      expect(s.regressionPercentMean).toBeLessThanOrEqual(3);
      expect(s.lesionVolumeMl).toBeLessThanOrEqual(0.01 * s.lungVolumeMl);
      const lesionMl = assessed.reduce((a, r) => a + r.lesionAreaMm2, 0) * 8 / 1000;
      expect(Math.abs(s.lesionVolumeMl - lesionMl)).toBeLessThan(0.5);
      const instancesMl = s.lesions.reduce((a: number, l: { volumeMl: number }) => a + l.volumeMl, 0);
      expect(Math.abs(instancesMl - s.lesionVolumeMl)).toBeLessThan(0.05 + 0.001 * s.lesions.length);
      for (const l of s.lesions) {
        expect(assessed.some((r) => slices.indexOf(r) === l.largestSlice)).toBe(true);
        expect(l.firstSlice).toBeLessThanOrEqual(l.largestSlice);
        expect(l.lastSlice).toBeGreaterThanOrEqual(l.largestSlice);
      }
      const only = await analyzeFiles(parseAnalyzeArgs([dir, '--json', '--series-only']), ctx) as Record<string, any>[];
      expect(only).toEqual([series]);
    } finally {
      await ctx.release();
    }
  }, 300_000);
});
