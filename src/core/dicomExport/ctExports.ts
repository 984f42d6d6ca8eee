import type { ExportFile, ExportInput } from '../analyses/analysisModule.ts';
import type { CtRecord } from '../analyses/ct/ctRecord.ts';
import type { CtStudySummary } from '../study/ctStudySummary.ts';
import type { LesionInstance } from '../study/lesionInstances.ts';
import { geometryFromSlices } from '../nifti/volumeGeometry.ts';
import { writeNiftiMask } from '../nifti/writeNifti.ts';
import { LEFT_LUNG, RIGHT_LUNG, lungSideMaps } from './ctLungSides.ts';
import { writeCtMeasurementReport, type CtLesionNumbers, type CtSeriesNumbers } from './ctMeasurementReport.ts';
import { algorithmOf, lunglensProducer, safeUid, sourceSeriesFor } from './exportSources.ts';
import type { AlgorithmId } from './studyModules.ts';
import { writeSegmentation, type SegmentKind, type SegmentMasks, type WrittenSeg } from './segWriter.ts';

const SEGMENTATION = 'ct-lesion-segmentation';
const REGRESSION = 'ct-infection-regression';

type CtExportInput = ExportInput<CtRecord, CtStudySummary>;
type MaskKey = 'lung' | 'ggo' | 'consolidation';

/** The DICOM SEG and its TID 1500 SR for one analysed CT series (the SR points at the SEG). */
export async function buildCtDicom(input: CtExportInput): Promise<{ seg: WrittenSeg; files: ExportFile[] }> {
  if (!input.summary || input.slices.length === 0) throw new Error('Analyse the series first: there is nothing to export.');
  const source = await sourceSeriesFor(input);
  const models = input.slices[0].record.models;
  const segmentation = algorithmOf(models, SEGMENTATION);
  const masks = exportedMasks(input);
  const perImage = (mask: MaskKey) => source.images.map((_, i) => masks(i, mask));
  const seg = writeSegmentation({
    series: source,
    producer: lunglensProducer,
    segments: [
      ...(await lungSegments(input, perImage('lung'), segmentation)),
      { kind: 'ground-glass', algorithm: segmentation, masks: perImage('ggo') },
      { kind: 'consolidation', algorithm: segmentation, masks: perImage('consolidation') },
    ],
  });
  const sr = writeCtMeasurementReport({
    series: source,
    numbers: ctNumbers(input.summary, seg, source.images[0].pixelSpacingMm),
    seg,
    models: { segmentation, regression: algorithmOf(models, REGRESSION) },
    producer: lunglensProducer,
  });
  const uid = safeUid(input.series.seriesInstanceUID ?? source.seriesInstanceUID, 'series');
  return {
    seg,
    files: [
      { name: `${uid}.seg.dcm`, mediaType: 'application/dicom', bytes: seg.bytes },
      { name: `${uid}.sr.dcm`, mediaType: 'application/dicom', bytes: sr.bytes },
    ],
  };
}

/**
 * Left and right lung as two segments when the summary has split them (a whole-series analysis), both read
 * from one side map per slice; else one lung segment.
 */
async function lungSegments(input: CtExportInput, lung: (Uint8Array | undefined)[], algorithm: AlgorithmId): Promise<SegmentMasks[]> {
  const sides = await lungSides(input, (i) => lung[i]);
  if (!sides) return [{ kind: 'lung', algorithm, masks: lung }];
  const maps = lung.map((_, i) => sides.get(i));
  return [
    { kind: 'left-lung', algorithm, masks: maps, value: LEFT_LUNG },
    { kind: 'right-lung', algorithm, masks: maps, value: RIGHT_LUNG },
  ];
}

/** Each slice's side map when the summary has split the lungs (a whole-series analysis), else null. */
async function lungSides(input: CtExportInput, lung: (index: number) => Uint8Array | undefined): Promise<Map<number, Uint8Array> | null> {
  const split = typeof input.summary?.leftLungVolumeMl === 'number' && typeof input.summary.rightLungVolumeMl === 'number';
  return split ? lungSideMaps(input, lung) : null;
}

/**
 * The masks an export writes. Lesion masks only on the slices the summary counts (a slice "not
 * assessed" — too little lung to judge — adds nothing to the lesion volume), so the exported voxels
 * and the reported volumes agree.
 */
function exportedMasks(input: CtExportInput): (index: number, mask: MaskKey) => Uint8Array | undefined {
  const assessed = new Set(input.slices.filter((s) => s.record.assessed !== false).map((s) => s.index));
  return (index, mask) => (mask === 'lung' || assessed.has(index) ? input.masks?.(index)?.[mask]?.data : undefined);
}

/** The summary's numbers as the SR states them; GGO / consolidation volumes from the SEG's own voxels. */
function ctNumbers(summary: CtStudySummary, seg: WrittenSeg, pixelSpacingMm: [number, number] | undefined): CtSeriesNumbers {
  const voxelMl = pixelSpacingMm && summary.sliceSpacingMm !== null ? (pixelSpacingMm[0] * pixelSpacingMm[1] * summary.sliceSpacingMm) / 1000 : null;
  const segmentMl = (kind: SegmentKind) => {
    const s = seg.segments.find((x) => x.kind === kind);
    return s && voxelMl !== null ? s.voxels * voxelMl : null;
  };
  return {
    slicesAnalysed: summary.slicesAnalysed,
    lungVolumeMl: summary.lungVolumeMl,
    leftLungVolumeMl: summary.leftLungVolumeMl,
    rightLungVolumeMl: summary.rightLungVolumeMl,
    lesionVolumeMl: summary.lesionVolumeMl,
    ggoVolumeMl: segmentMl('ground-glass'),
    consolidationVolumeMl: segmentMl('consolidation'),
    infectionPercentOfLung: summary.infectionPercentOfLung,
    severity: summary.severity,
    regressionPercentMean: summary.regressionPercentMean,
    regressionPercentMax: summary.regressionPercentMax,
    lesions: summary.lesions.map(lesionNumbers).filter((l): l is CtLesionNumbers => l !== null),
  };
}

/** A lesion instance as the SR states it (one without a volume, i.e. without geometry, is left out). */
function lesionNumbers(l: LesionInstance): CtLesionNumbers | null {
  if (l.volumeMl === null) return null;
  return {
    volumeMl: l.volumeMl,
    ggoShare: l.ggoShare,
    consolidationShare: l.consolidationShare,
    firstSlice: l.firstSlice,
    lastSlice: l.lastSlice,
    largestAreaSlice: l.largestSlice,
    side: l.side,
  };
}

/**
 * Label values of the NIfTI mask export: the lungs by side when the series was analysed as a whole (as the SEG's
 * two lung segments), one lung label otherwise; lesions over lung.
 */
export const NIFTI_LABELS = { rightLung: 1, leftLung: 2, ggo: 3, consolidation: 4, lung: 5 } as const;

/** One label map (NIFTI_LABELS; 0 elsewhere and on slices not analysed) in the series' own geometry. */
export async function buildCtNifti(input: CtExportInput): Promise<ExportFile[]> {
  if (input.slices.length === 0) throw new Error('Analyse the series first: there is nothing to export.');
  const headers = input.headers;
  const missing = headers.findIndex((h) => !h.imagePositionPatient || !h.imageOrientationPatient || !h.pixelSpacingMm);
  if (missing >= 0) throw new Error(`Slice ${missing + 1} has no position, orientation or pixel spacing: a NIfTI mask needs the series geometry.`);
  const { rows, columns } = headers[0];
  const geometry = geometryFromSlices(
    headers.map((h) => ({ imagePositionPatient: h.imagePositionPatient!, imageOrientationPatient: h.imageOrientationPatient!, pixelSpacingMm: h.pixelSpacingMm! })),
    rows,
    columns,
  );
  const plane = rows * columns;
  const labels = new Uint8Array(plane * headers.length);
  const masks = exportedMasks(input);
  const sides = await lungSides(input, (i) => masks(i, 'lung'));
  const sideLabel: Record<number, number> = { [LEFT_LUNG]: NIFTI_LABELS.leftLung, [RIGHT_LUNG]: NIFTI_LABELS.rightLung };
  headers.forEach((_, k) => {
    const lung = masks(k, 'lung');
    const side = sides?.get(k);
    if (lung) for (let p = 0; p < plane; p++) if (lung[p]) labels[k * plane + p] = side ? sideLabel[side[p]] ?? NIFTI_LABELS.lung : NIFTI_LABELS.lung;
    for (const key of ['ggo', 'consolidation'] as const) {
      const data = masks(k, key);
      if (!data) continue;
      for (let p = 0; p < plane; p++) if (data[p]) labels[k * plane + p] = NIFTI_LABELS[key];
    }
  });
  const uid = safeUid(input.series.seriesInstanceUID, 'series');
  const description = sides ? 'LungLens: 1 right lung, 2 left lung, 3 GGO, 4 consolidation' : 'LungLens: 5 lung, 3 GGO, 4 consolidation';
  const bytes = writeNiftiMask(labels, geometry, { gzip: true, description });
  return [{ name: `${uid}.masks.nii.gz`, mediaType: 'application/gzip', bytes }];
}
