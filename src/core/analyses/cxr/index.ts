/**
 * The chest radiograph analysis: 3-class classification, opacity boxes (detector A, B, fused), lung and
 * infection masks and infection % of lung.
 */
import { positionColumns } from '../../report/csv.ts';
import type { AnalysisModule } from '../analysisModule.ts';
import { CXR_MODELS, decodeCxrOutputs, runCxrModels } from './cxrAnalysis.ts';
import { cxrGray8 } from './cxrPreprocess.ts';
import { cxrRecord, type CxrRecord } from './cxrRecord.ts';
import { cxrExports } from '../../dicomExport/analysisExports.ts';

export const cxrAnalysis: AnalysisModule<CxrRecord> = {
  id: 'cxr',
  modality: 'cxr',
  label: 'Chest X-ray: classification, opacity boxes (A, B, fused), lung and infection masks',
  models: Object.values(CXR_MODELS),
  exports: cxrExports,

  async analyze(image, ctx) {
    const raw = await runCxrModels(cxrGray8(image), ctx);
    const r = decodeCxrOutputs(raw);
    const models = Object.values(raw).map(({ entry }) => ({ id: entry.id, version: entry.version }));
    return { record: cxrRecord(r, models), masks: { lesion: r.masks.lesion, lung: r.masks.lung } };
  },

  csvColumns(slices) {
    const labels = slices[0] ? Object.keys(slices[0].record.classification.probabilities) : [];
    return [
      ...positionColumns<CxrRecord>('image'),
      { header: 'label', value: (s) => s.record.classification.label },
      ...labels.map((l) => ({ header: `p(${l})`, value: (s: { record: CxrRecord }) => s.record.classification.probabilities[l] })),
      { header: 'infectionPercentOfLung', value: (s) => s.record.infectionPercentOfLung },
      { header: 'boxesA', value: (s) => s.record.detections.A.length },
      { header: 'boxesB', value: (s) => s.record.detections.B.length },
      { header: 'boxesEnsemble', value: (s) => s.record.detections.ensemble.length },
    ];
  },

  overlays: {
    masks: ['lung', 'lesion'],
    legend: [
      { label: 'infection', color: 'lesion' },
      { label: 'opacity boxes', color: 'box', outline: true },
      { label: 'lung', color: 'lung', outline: true },
    ],
  },

  describe(r) {
    const d = r.detections;
    return `CXR ${r.classification.label} (p=${r.classification.probabilities[r.classification.label]}), ` +
      `infection ${r.infectionPercentOfLung}% of lung, opacity boxes A ${d.A.length} / B ${d.B.length} / ensemble ${d.ensemble.length}`;
  },
};
