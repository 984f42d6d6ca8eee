/**
 * The CT analysis: per slice, the regression model's infection % beside the segmentation model's lesion /
 * GGO / consolidation masks (lesion % of lung, areas); per series, volumes and a severity band.
 */
import { positionColumns } from '../../report/csv.ts';
import { windowHuOf } from '../../runtime/modelFacts.ts';
import type { AnalysisModule } from '../analysisModule.ts';
import { ctInfection } from './ctInfectionAnalysis.ts';
import { ctLesion } from './ctLesionAnalysis.ts';
import { ctNotAssessedRecord, ctRecord, isAssessed, type CtAssessedRecord, type CtRecord } from './ctRecord.ts';
import { lungRegionOf } from './ctSlicePreprocess.ts';
import { isAxialSlice } from './sliceOrientation.ts';
import { prepareCtStudy, restoreCtStudyPreparation, type CtStudyPreparation } from '../../study/ctStudyPreparation.ts';
import type { CtStudySummary } from '../../study/ctStudySummary.ts';
import { sliceLungRegion } from '../../study/sliceLungRegion.ts';
import { isStudySliceContext, lungSideAreas, notAssessedReason } from '../../study/studySliceFields.ts';
import { summarizeSliceRecords, summarizeStudyRecords } from '../../study/studySummaryFromRecords.ts';
import { ctExports } from '../../dicomExport/analysisExports.ts';
import { lesionCsvExport } from '../../study/lesionCsvExport.ts';
import { hasModalityValues } from '../../image/medicalImage.ts';

const REGRESSION = 'ct-infection-regression';
const SEGMENTATION = 'ct-lesion-segmentation';

const numberColumns = ['infectionPercent', 'lesionPercentOfLung', 'lesionAreaMm2', 'lungAreaMm2', 'lesionAreaPx', 'lungAreaPx', 'ggoAreaPx', 'consolidationAreaPx'] as const;

export const ctAnalysis: AnalysisModule<CtRecord, CtStudySummary> = {
  id: 'ct',
  modality: 'ct',
  label: 'CT: infection % (regression) + lesion and lung masks',
  models: [REGRESSION, SEGMENTATION],
  exports: [...ctExports, lesionCsvExport],

  /**
   * With a study context (src/core/study/), the slice's lung mask and crop come from the whole series' 3-D
   * lungs, and the record says whether the slice is assessed; without one, the slice's own 2-D lung finder.
   */
  async analyze(image, ctx, slice) {
    const regression = await ctx.getSession(REGRESSION);
    const segmentation = await ctx.getSession(SEGMENTATION);
    const models = [regression.entry, segmentation.entry].map((e) => ({ id: e.id, version: e.version }));
    const study = isStudySliceContext(slice) && hasModalityValues(image.kind) ? slice : null;
    const region = study && sliceLungRegion(study, image.pixels);
    if (study && region && !region.assessed) {
      // gated: too little lung to judge, so the models do not run (issue 11's input gate)
      const record = ctNotAssessedRecord(region, image.pixelSpacingMm, notAssessedReason(region), models);
      Object.assign(record, lungSideAreas(region, study, region.mask));
      return { record, masks: { lung: { rows: image.rows, columns: image.columns, data: region.mask } } };
    }
    const lung = region ?? lungRegionOf(image, [windowHuOf(regression.entry), windowHuOf(segmentation.entry)]);
    if (!study && hasModalityValues(image.kind) && !lung.found) {
      // gated as well: a single CT image (HU) with no lung in it -- head, abdomen, outside the chest. A PNG/JPEG
      // is by contract already a lung crop, so it is still analysed, with a warning.
      const record = ctNotAssessedRecord(lung, image.pixelSpacingMm, 'not assessed: no lung in this slice (outside the chest, or not a chest CT)', models);
      return { record, masks: { lung: { rows: image.rows, columns: image.columns, data: lung.mask } } };
    }
    const infection = await ctInfection(image, regression, lung.box);
    const lesion = await ctLesion(image, segmentation, lung);
    const warning = !isAxialSlice(image)
      ? 'not an axial slice: the CT models were trained on axial slices'
      : !lesion.lungFound ? 'no lung found: the whole image was analysed, the numbers are not meaningful' : undefined;
    const record: CtRecord = ctRecord(infection, lesion, warning, models);
    if (study && region) Object.assign(record, { assessed: true }, lungSideAreas(region, study, lesion.masks.lung.data));
    return { record, masks: lesion.masks };
  },

  prepareSeries: (series) => prepareCtStudy(series),
  restorePrepared: (data) => (data === null ? null : restoreCtStudyPreparation(data as CtStudyPreparation)),
  sliceContext: (prepared, index) => (prepared as CtStudyPreparation | null)?.sliceContext(index),

  /** Whole-series numbers (src/core/study/); slice by slice when the series had no study preparation. */
  summarize({ slices, headers, stride, masks, prepared }) {
    const prep = prepared as CtStudyPreparation | null | undefined;
    return prep ? summarizeStudyRecords(slices, prep, masks) : summarizeSliceRecords(slices, headers, stride);
  },

  csvColumns: () => [
    ...positionColumns<CtRecord>('slice'),
    // a slice not assessed has its lung area only: the model columns stay empty
    ...numberColumns.map((key) => ({ header: key, value: (s: { record: CtRecord }) => (s.record as Partial<CtAssessedRecord>)[key] })),
    { header: 'assessed', value: (s: { record: CtRecord }) => (s.record.assessed === undefined ? '' : s.record.assessed ? 'yes' : 'no') },
    { header: 'notAssessedReason', value: (s: { record: CtRecord }) => (isAssessed(s.record) ? '' : s.record.reason) },
  ],

  overlays: {
    masks: ['lung', 'lesion', 'ggo', 'consolidation'],
    legend: [
      { label: 'GGO', color: 'ggo' },
      { label: 'consolidation', color: 'consolidation' },
      { label: 'lung', color: 'lung', outline: true },
    ],
  },

  describe: (r) =>
    !isAssessed(r) ? `CT ${r.reason}` :
    `CT infection ${r.infectionPercent}% (regression), lesion ${r.lesionPercentOfLung ?? 'n/a'}% of lung` +
    (r.lesionAreaMm2 !== undefined ? `, ${r.lesionAreaMm2} mm²` : ''),
};
