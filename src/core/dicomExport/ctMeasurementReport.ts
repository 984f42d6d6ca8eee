import { segmentCodes, severityCodes, srCodes, units, type Code } from './codes.ts';
import type { SegmentKind, WrittenSeg } from './segWriter.ts';
import type { SourceSeries } from './sourceImages.ts';
import { writeMeasurementReport, type EvidenceRef, type WrittenSr } from './srDocument.ts';
import {
  algorithmItems, codeValueItem, containerItem, imageItem, numItem, trackingItems, uidRefItem, type ContentItem,
} from './srContentItems.ts';
import type { AlgorithmId, ProducerInfo } from './studyModules.ts';

/** One connected lesion of the study-level analysis. Slices are 0-based indices in series order. */
export interface CtLesionNumbers {
  volumeMl: number;
  /** Shares of the lesion's volume, 0–1. */
  ggoShare?: number;
  consolidationShare?: number;
  firstSlice: number;
  lastSlice: number;
  largestAreaSlice: number;
  side?: 'left' | 'right' | 'both';
}

/** The series summary the report states; null = not measurable (e.g. no pixel spacing). */
export interface CtSeriesNumbers {
  slicesAnalysed: number;
  lungVolumeMl: number | null;
  leftLungVolumeMl?: number | null;
  rightLungVolumeMl?: number | null;
  lesionVolumeMl: number | null;
  ggoVolumeMl?: number | null;
  consolidationVolumeMl?: number | null;
  infectionPercentOfLung: number | null;
  severity: { score: number; label: string } | null;
  regressionPercentMean: number | null;
  regressionPercentMax: number | null;
  lesions: readonly CtLesionNumbers[];
}

export interface CtReportInput {
  series: SourceSeries;
  numbers: CtSeriesNumbers;
  models: { segmentation: AlgorithmId; regression?: AlgorithmId };
  /** The SEG written for the same analysis: volumes then point at its segments. */
  seg?: WrittenSeg;
  producer: ProducerInfo;
  createdAt?: Date;
}

const segmentFinding: Record<SegmentKind, Code> = {
  lung: segmentCodes.lung,
  'left-lung': segmentCodes.leftLung,
  'right-lung': segmentCodes.rightLung,
  'ground-glass': segmentCodes.groundGlassOpacity,
  consolidation: segmentCodes.consolidation,
  lesion: segmentCodes.lesion,
};

/**
 * TID 1500 report of one analysed CT series: a volumetric group (TID 1411) per SEG segment with
 * its volume, a series group (TID 1501) with infection %, severity and the regression model's
 * output, and a group per lesion with its volume, composition and extent.
 */
export function writeCtMeasurementReport(input: CtReportInput): WrittenSr {
  const { series, numbers: n, models } = input;
  const measurements: ContentItem[] = [];
  for (const s of input.seg?.segments ?? []) {
    const volume = segmentVolumeMl(s.kind, n);
    if (volume === null || volume === undefined) continue;
    measurements.push(
      containerItem('CONTAINS', srCodes.measurementGroup, [
        ...trackingItems(s.label),
        imageItem('CONTAINS', srCodes.referencedSegment, input.seg!, s.number),
        uidRefItem('CONTAINS', srCodes.sourceSeriesForSegmentation, series.seriesInstanceUID),
        codeValueItem('HAS CONCEPT MOD', srCodes.finding, segmentFinding[s.kind]),
        numItem(srCodes.volume, volume, units.millilitre, algorithmItems(models.segmentation)),
      ], '1411'),
    );
  }
  const segmented = new Set((input.seg?.segments ?? []).map((s) => s.kind));
  measurements.push(containerItem('CONTAINS', srCodes.measurementGroup, seriesGroup(n, models, segmented), '1501'));
  n.lesions.forEach((l, k) => measurements.push(containerItem('CONTAINS', srCodes.measurementGroup, lesionGroup(l, k + 1, models.segmentation), '1501')));

  const evidence: EvidenceRef[] = series.images.map((i) => ({ ...i, seriesInstanceUID: series.seriesInstanceUID }));
  if (input.seg) evidence.push({ sopClassUID: input.seg.sopClassUID, sopInstanceUID: input.seg.sopInstanceUID, seriesInstanceUID: input.seg.seriesInstanceUID });
  return writeMeasurementReport({
    study: series.study,
    producer: input.producer,
    procedure: srCodes.ctChest,
    library: series.images,
    measurements,
    evidence,
    createdAt: input.createdAt,
  });
}

function segmentVolumeMl(kind: SegmentKind, n: CtSeriesNumbers): number | null | undefined {
  switch (kind) {
    case 'lung': return n.lungVolumeMl;
    case 'left-lung': return n.leftLungVolumeMl;
    case 'right-lung': return n.rightLungVolumeMl;
    case 'ground-glass': return n.ggoVolumeMl;
    case 'consolidation': return n.consolidationVolumeMl;
    case 'lesion': return n.lesionVolumeMl;
  }
}

/** `segmented`: the SEG's segment kinds; a lung volume with a segment of its own is stated in that segment's group. */
function seriesGroup(n: CtSeriesNumbers, models: CtReportInput['models'], segmented: ReadonlySet<SegmentKind>): ContentItem[] {
  const seg = algorithmItems(models.segmentation);
  const items: ContentItem[] = [...trackingItems('Series summary'), codeValueItem('HAS CONCEPT MOD', srCodes.finding, segmentCodes.lung)];
  items.push(numItem(srCodes.slicesAnalysed, n.slicesAnalysed, units.score));
  if (!segmented.has('lung') && n.lungVolumeMl !== null) items.push(numItem(srCodes.volume, n.lungVolumeMl, units.millilitre, seg));
  // Left and right lung without SEG segments of their own (no SEG, or one lung segment): stated here with their site.
  const sides = [[segmentCodes.leftLung, n.leftLungVolumeMl, 'left-lung'], [segmentCodes.rightLung, n.rightLungVolumeMl, 'right-lung']] as const;
  for (const [side, volume, kind] of sides) {
    if (typeof volume === 'number' && !segmented.has(kind)) {
      items.push(numItem(srCodes.volume, volume, units.millilitre, [codeValueItem('HAS CONCEPT MOD', srCodes.findingSite, side), ...seg]));
    }
  }
  if (n.lesionVolumeMl !== null) items.push(numItem(srCodes.lesionVolume, n.lesionVolumeMl, units.millilitre, seg));
  if (n.infectionPercentOfLung !== null) items.push(numItem(srCodes.infectionPercentOfLung, n.infectionPercentOfLung, units.percent, seg));
  if (n.severity) {
    items.push(codeValueItem('CONTAINS', srCodes.severity, severityCodes[n.severity.label] ?? severityCodes.none));
    items.push(numItem(srCodes.severityScore, n.severity.score, units.score));
  }
  if (models.regression) {
    const reg = algorithmItems(models.regression);
    if (n.regressionPercentMean !== null) items.push(numItem(srCodes.regressionPercentMean, n.regressionPercentMean, units.percent, reg));
    if (n.regressionPercentMax !== null) items.push(numItem(srCodes.regressionPercentMax, n.regressionPercentMax, units.percent, reg));
  }
  return items;
}

function lesionGroup(l: CtLesionNumbers, index: number, model: AlgorithmId): ContentItem[] {
  const items: ContentItem[] = [...trackingItems(`Lesion ${index}`), codeValueItem('HAS CONCEPT MOD', srCodes.finding, segmentCodes.lesion)];
  if (l.side === 'left' || l.side === 'right') {
    items.push(codeValueItem('HAS CONCEPT MOD', srCodes.findingSite, l.side === 'left' ? segmentCodes.leftLung : segmentCodes.rightLung));
  }
  items.push(numItem(srCodes.volume, l.volumeMl, units.millilitre, algorithmItems(model)));
  if (l.ggoShare !== undefined) items.push(numItem(srCodes.ggoShare, 100 * l.ggoShare, units.percent));
  if (l.consolidationShare !== undefined) items.push(numItem(srCodes.consolidationShare, 100 * l.consolidationShare, units.percent));
  items.push(numItem(srCodes.firstSlice, l.firstSlice + 1, units.score));
  items.push(numItem(srCodes.lastSlice, l.lastSlice + 1, units.score));
  items.push(numItem(srCodes.largestAreaSlice, l.largestAreaSlice + 1, units.score));
  return items;
}
