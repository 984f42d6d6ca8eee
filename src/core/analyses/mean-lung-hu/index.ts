/**
 * A tiny example analysis (not registered in the app): the mean density of the lungs in HU, per CT slice
 * and per series. It shows what adding an analysis takes: this folder and one line in a registry; the
 * CLI, the report, the CSV and the panel pick it up (meanLungHu.test.ts proves it).
 */
import type { AnalysisModule, AnalysisRecord } from '../analysisModule.ts';
import { findLungsHu } from '../ct/lungCrop.ts';
import { positionColumns } from '../../report/csv.ts';

export interface MeanLungHuRecord extends AnalysisRecord {
  /** Mean HU over the lung mask, 1 decimal; null when no lung was found. */
  meanLungHu: number | null;
  lungAreaPx: number;
}

export interface MeanLungHuSummary {
  /** Lung-area-weighted mean over the analysed slices. */
  meanLungHu: number | null;
}

export const meanLungHuAnalysis: AnalysisModule<MeanLungHuRecord, MeanLungHuSummary> = {
  id: 'mean-lung-hu',
  modality: 'ct',
  label: 'CT: mean lung density (HU)',
  models: [],
  // Hounsfield units exist only in DICOM
  accepts: (image) => image.kind === 'dicom',

  async analyze(image) {
    const lung = findLungsHu(image.pixels, image.columns, image.rows, image.pixelSpacingMm);
    let sum = 0;
    for (let i = 0; i < lung.mask.length; i++) if (lung.mask[i]) sum += image.pixels[i];
    const meanLungHu = lung.found && lung.areaPx ? Math.round((10 * sum) / lung.areaPx) / 10 : null;
    return {
      record: { meanLungHu, lungAreaPx: lung.areaPx, models: [] },
      masks: { lung: { rows: image.rows, columns: image.columns, data: lung.mask } },
    };
  },

  summarize({ slices }) {
    let sum = 0, area = 0;
    for (const { record: r } of slices) {
      if (r.meanLungHu === null) continue;
      sum += r.meanLungHu * r.lungAreaPx;
      area += r.lungAreaPx;
    }
    return { meanLungHu: area ? Math.round((10 * sum) / area) / 10 : null };
  },

  csvColumns: () => [
    ...positionColumns<MeanLungHuRecord>('slice'),
    { header: 'meanLungHu', value: (s) => s.record.meanLungHu },
    { header: 'lungAreaPx', value: (s) => s.record.lungAreaPx },
  ],

  overlays: { masks: ['lung'], legend: [{ label: 'lung', color: 'lung', outline: true }] },

  describe: (r) => `mean lung density ${r.meanLungHu ?? 'n/a'} HU`,
};
