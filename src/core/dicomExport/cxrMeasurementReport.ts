import { classCodes, srCodes, units, type Code } from './codes.ts';
import type { SourceSeries } from './sourceImages.ts';
import { writeMeasurementReport, type WrittenSr } from './srDocument.ts';
import {
  algorithmItems, codeValueItem, containerItem, imageRegionItem, numItem, textItem, trackingItems, type ContentItem,
} from './srContentItems.ts';
import type { AlgorithmId, ProducerInfo } from './studyModules.ts';

/** Top-left corner and size in the source image's pixels, with the detector's confidence. */
export interface OpacityBox {
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
}

export interface DetectionSet {
  /** "A", "B" or "ensemble": which detector (or their fusion) found these boxes. */
  name: string;
  /** The model(s) behind it: one for a detector, both for the ensemble. */
  models: AlgorithmId[];
  boxes: readonly OpacityBox[];
}

export interface CxrReportInput {
  /** The radiograph: a one-image series. */
  series: SourceSeries;
  classification: { model: AlgorithmId; probabilities: Readonly<Record<string, number>> };
  detections: readonly DetectionSet[];
  infection?: { model: AlgorithmId; percentOfLung: number };
  producer: ProducerInfo;
  createdAt?: Date;
}

/**
 * TID 1500 report of one radiograph: class probabilities (TID 1501) and each opacity box as a
 * planar ROI (TID 1410) whose SCOORD lies on the source image, naming the detector.
 */
export function writeCxrMeasurementReport(input: CxrReportInput): WrittenSr {
  const { series } = input;
  if (series.images.length !== 1) throw new Error(`A radiograph report covers one image, not ${series.images.length}.`);
  const [image] = series.images;
  const measurements: ContentItem[] = [containerItem('CONTAINS', srCodes.measurementGroup, classificationGroup(input), '1501')];
  for (const set of input.detections) {
    set.boxes.forEach((b, k) => {
      const corners: [number, number][] = [[b.x, b.y], [b.x + b.w, b.y], [b.x + b.w, b.y + b.h], [b.x, b.y + b.h], [b.x, b.y]];
      const detector = set.models.flatMap((m) => algorithmItems(m));
      measurements.push(
        containerItem('CONTAINS', srCodes.measurementGroup, [
          ...trackingItems(`Opacity ${k + 1} (detector ${set.name})`),
          textItem('HAS CONCEPT MOD', srCodes.detector, set.name),
          codeValueItem('HAS CONCEPT MOD', srCodes.finding, srCodes.opacity),
          imageRegionItem(corners, image),
          numItem(srCodes.detectionScore, b.score, units.probability, detector),
        ], '1410'),
      );
    });
  }
  return writeMeasurementReport({
    study: series.study,
    producer: input.producer,
    procedure: srCodes.chestRadiograph,
    library: [image],
    measurements,
    evidence: [{ ...image, seriesInstanceUID: series.seriesInstanceUID }],
    createdAt: input.createdAt,
  });
}

function classificationGroup(input: CxrReportInput): ContentItem[] {
  const items: ContentItem[] = [...trackingItems('Classification')];
  const model = algorithmItems(input.classification.model);
  for (const [label, p] of Object.entries(input.classification.probabilities)) {
    const finding: Code = classCodes[label.toLowerCase()] ?? { value: label.toLowerCase().replace(/\W+/g, '-'), scheme: srCodes.classProbability.scheme, meaning: label };
    // The class is a concept modifier of its probability, so one code names "probability of".
    items.push(numItem(srCodes.classProbability, p, units.probability, [codeValueItem('HAS CONCEPT MOD', srCodes.finding, finding), textItem('HAS CONCEPT MOD', srCodes.className, label), ...model]));
  }
  if (input.infection) {
    items.push(numItem(srCodes.infectionPercentOfLung, input.infection.percentOfLung, units.percent, algorithmItems(input.infection.model)));
  }
  return items;
}
