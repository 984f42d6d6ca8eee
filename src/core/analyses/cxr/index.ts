/**
 * The chest radiograph analysis: an input gate first (not a chest radiograph -> "not assessed" with the
 * reason, nothing else runs), then 3-class classification, opacity boxes (detector A, B, fused), lung and
 * infection masks and infection % of lung.
 */
import { positionColumns } from '../../report/csv.ts';
import type { AnalysisModule, CsvColumn } from '../analysisModule.ts';
import { CXR_MODELS, decodeCxrOutputs, runCxrModels } from './cxrAnalysis.ts';
import { CXR_GATE_MODEL, cxrInputGate } from './cxrInputGate.ts';
import { cxrGray8 } from './cxrPreprocess.ts';
import { cxrNotAssessedRecord, cxrRecord, isCxrAssessed, type CxrAssessedRecord, type CxrRecord } from './cxrRecord.ts';
import { cxrExports } from '../../dicomExport/analysisExports.ts';
import { hasModalityValues } from '../../image/medicalImage.ts';

/**
 * The bundled classifier's labels (models/manifest.json, checked by cxrInputGate.test.ts): the CSV's
 * p(...) columns when no image of the table was assessed, so a cohort CSV whose first image is refused
 * still gets the columns of those after it.
 */
export const BUNDLED_CLASS_LABELS: readonly string[] = ['COVID-19', 'other pneumonia', 'normal'];

type Row = { record: CxrRecord };
/** A model column: empty for an image the gate refused. */
const assessedColumn = (header: string, value: (r: CxrAssessedRecord) => string | number): CsvColumn<CxrRecord> =>
  ({ header, value: (s: Row) => (isCxrAssessed(s.record) ? value(s.record) : '') });

export const cxrAnalysis: AnalysisModule<CxrRecord> = {
  id: 'cxr',
  modality: 'cxr',
  label: 'Chest X-ray: input gate, classification, opacity boxes (A, B, fused), lung and infection masks',
  models: [CXR_GATE_MODEL, ...Object.values(CXR_MODELS)],
  exports: cxrExports,

  async analyze(image, ctx) {
    const gray = cxrGray8(image);
    // DICOM and NIfTI say what they are (a NIfTI volume is CT); a PNG/JPEG is judged by its pixels alone
    const gate = await cxrInputGate(gray, ctx, hasModalityValues(image.kind) ? image.modality : '');
    // refused: the CXR models do not run, so there is no class, box or mask to misread
    if (!gate.passed) return { record: cxrNotAssessedRecord(gate), masks: {} };
    const raw = await runCxrModels(gray, ctx);
    const r = decodeCxrOutputs(raw);
    const models = Object.values(raw).map(({ entry }) => ({ id: entry.id, version: entry.version }));
    return { record: cxrRecord(r, models), masks: { lesion: r.masks.lesion, lung: r.masks.lung } };
  },

  csvColumns(slices) {
    const assessed = slices.map((s) => s.record).find(isCxrAssessed);
    const labels = assessed ? Object.keys(assessed.classification.probabilities) : BUNDLED_CLASS_LABELS;
    return [
      ...positionColumns<CxrRecord>('image'),
      assessedColumn('label', (r) => r.classification.label),
      ...labels.map((l) => assessedColumn(`p(${l})`, (r) => r.classification.probabilities[l])),
      assessedColumn('infectionPercentOfLung', (r) => r.infectionPercentOfLung),
      assessedColumn('boxesA', (r) => r.detections.A.length),
      assessedColumn('boxesB', (r) => r.detections.B.length),
      assessedColumn('boxesEnsemble', (r) => r.detections.ensemble.length),
      { header: 'assessed', value: (s) => (isCxrAssessed(s.record) ? 'yes' : 'no') },
      { header: 'notAssessedReason', value: (s) => (isCxrAssessed(s.record) ? '' : s.record.reason) },
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
    if (!isCxrAssessed(r)) return `CXR not assessed: ${r.reason}`;
    const d = r.detections;
    return `CXR ${r.classification.label} (p=${r.classification.probabilities[r.classification.label]}), ` +
      `infection ${r.infectionPercentOfLung}% of lung, opacity boxes A ${d.A.length} / B ${d.B.length} / ensemble ${d.ensemble.length}`;
  },
};
