import type { NaturalDataset } from 'dcmjs';
import { codeItem, segmentCodes, type Code } from './codes.ts';
import { newUid } from './newUid.ts';
import { dicomDateTime, writePart10 } from './part10.ts';
import type { SourceImage, SourceSeries } from './sourceImages.ts';
import { derivedInstanceModules, type AlgorithmId, type ProducerInfo } from './studyModules.ts';

const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';

export type SegmentKind = 'lung' | 'left-lung' | 'right-lung' | 'ground-glass' | 'consolidation' | 'lesion';

export interface SegmentMasks {
  kind: SegmentKind;
  algorithm: AlgorithmId;
  /** One mask per source image, row-major at the image's size, non-zero = inside; undefined = slice not analysed. */
  masks: readonly (Uint8Array | undefined)[];
  /** Inside = the pixel equals this value (one label map shared by several segments, e.g. left / right lung). */
  value?: number;
}

export interface SegInput {
  series: SourceSeries;
  segments: readonly SegmentMasks[];
  producer: ProducerInfo;
  createdAt?: Date;
}

export interface WrittenSegment {
  /** Segment Number in the SEG (1-based, the input order). */
  number: number;
  kind: SegmentKind;
  label: string;
  voxels: number;
  /** Frames stored (an empty segment keeps one empty frame, so "nothing found" is on record). */
  frames: number;
}

export interface WrittenSeg {
  bytes: Uint8Array;
  sopClassUID: string;
  sopInstanceUID: string;
  seriesInstanceUID: string;
  segments: WrittenSegment[];
}

const segmentTypes: Record<SegmentKind, { label: string; category: Code; type: Code }> = {
  lung: { label: 'Lung', category: segmentCodes.anatomicalStructure, type: segmentCodes.lung },
  'left-lung': { label: 'Left lung', category: segmentCodes.anatomicalStructure, type: segmentCodes.leftLung },
  'right-lung': { label: 'Right lung', category: segmentCodes.anatomicalStructure, type: segmentCodes.rightLung },
  'ground-glass': { label: 'Ground glass opacity', category: segmentCodes.morphologicallyAbnormal, type: segmentCodes.groundGlassOpacity },
  consolidation: { label: 'Consolidation', category: segmentCodes.morphologicallyAbnormal, type: segmentCodes.consolidation },
  lesion: { label: 'Lesion', category: segmentCodes.morphologicallyAbnormal, type: segmentCodes.lesion },
};

interface Frame {
  segment: number;
  imageIndex: number;
  mask: Uint8Array | undefined;
  value?: number;
}

/**
 * A DICOM Segmentation (BINARY) of one CT series: one frame per segment and source slice that
 * holds any of it, each frame pointing at its source image and carrying its position, so a
 * viewer overlays it without resampling.
 */
export function writeSegmentation(input: SegInput): WrittenSeg {
  const { series } = input;
  const geometry = commonGeometry(series);
  const frames: Frame[] = [];
  const written: WrittenSegment[] = [];
  input.segments.forEach((seg, k) => {
    const number = k + 1;
    if (seg.masks.length !== series.images.length) {
      throw new Error(`Segment "${seg.kind}" has ${seg.masks.length} masks for ${series.images.length} source images.`);
    }
    let voxels = 0;
    const before = frames.length;
    seg.masks.forEach((mask, imageIndex) => {
      if (!mask) return;
      if (mask.length !== geometry.rows * geometry.columns) {
        throw new Error(`Segment "${seg.kind}", image ${imageIndex + 1}: mask has ${mask.length} pixels, the image ${geometry.rows}×${geometry.columns}.`);
      }
      const n = countInside(mask, seg.value);
      if (n === 0) return;
      voxels += n;
      frames.push({ segment: number, imageIndex, mask, value: seg.value });
    });
    if (frames.length === before) {
      const firstAnalysed = seg.masks.findIndex((m) => m !== undefined);
      if (firstAnalysed < 0) throw new Error(`Segment "${seg.kind}" has no analysed slice.`);
      frames.push({ segment: number, imageIndex: firstAnalysed, mask: undefined });
    }
    written.push({ number, kind: seg.kind, label: segmentTypes[seg.kind].label, voxels, frames: frames.length - before });
  });

  const sopInstanceUID = newUid();
  const seriesInstanceUID = newUid();
  const { date, time } = dicomDateTime(input.createdAt ?? new Date());
  const dimensionOrganizationUID = newUid();
  const referenced = new Set(frames.map((f) => f.imageIndex));

  const dataset: NaturalDataset = {
    _vrMap: { PixelData: 'OB' },
    ...derivedInstanceModules({
      modality: 'SEG',
      sopClassUID: SEGMENTATION_STORAGE,
      sopInstanceUID,
      seriesInstanceUID,
      study: series.study,
      producer: input.producer,
      defaultSeriesNumber: 901,
      defaultSeriesDescription: 'LungLens segmentation (research use)',
      date,
      time,
    }),
    FrameOfReferenceUID: series.frameOfReferenceUID,
    PositionReferenceIndicator: series.positionReferenceIndicator ?? '',
    ImageType: ['DERIVED', 'PRIMARY'],
    ContentLabel: 'LUNGLENS',
    ContentDescription: 'Lung and lesion segmentation by LungLens (research use only)',
    ContentCreatorName: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: geometry.rows,
    Columns: geometry.columns,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    NumberOfFrames: frames.length,
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUID }],
    DimensionIndexSequence: [
      { DimensionOrganizationUID: dimensionOrganizationUID, DimensionIndexPointer: 0x0062000b, FunctionalGroupPointer: 0x0062000a, DimensionDescriptionLabel: 'ReferencedSegmentNumber' },
      { DimensionOrganizationUID: dimensionOrganizationUID, DimensionIndexPointer: 0x00200032, FunctionalGroupPointer: 0x00209113, DimensionDescriptionLabel: 'ImagePositionPatient' },
    ],
    SegmentSequence: input.segments.map((seg, k) => segmentItem(seg, k + 1)),
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: geometry.orientation }],
        PixelMeasuresSequence: [{ PixelSpacing: geometry.pixelSpacingMm, SliceThickness: geometry.sliceThicknessMm }],
      },
    ],
    PerFrameFunctionalGroupsSequence: frames.map((f) => frameItem(f, series.images[f.imageIndex])),
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: series.seriesInstanceUID,
        ReferencedInstanceSequence: [...referenced].sort((a, b) => a - b).map((i) => ({
          ReferencedSOPClassUID: series.images[i].sopClassUID,
          ReferencedSOPInstanceUID: series.images[i].sopInstanceUID,
        })),
      },
    ],
    PixelData: [packBits(frames, geometry.rows * geometry.columns)],
  };
  return { bytes: writePart10(dataset), sopClassUID: SEGMENTATION_STORAGE, sopInstanceUID, seriesInstanceUID, segments: written };
}

function segmentItem(seg: SegmentMasks, number: number): NaturalDataset {
  const t = segmentTypes[seg.kind];
  return {
    SegmentNumber: number,
    SegmentLabel: t.label,
    SegmentedPropertyCategoryCodeSequence: [codeItem(t.category)],
    SegmentedPropertyTypeCodeSequence: [codeItem(t.type)],
    SegmentAlgorithmType: 'AUTOMATIC',
    SegmentAlgorithmName: seg.algorithm.modelId,
    SegmentationAlgorithmIdentificationSequence: [
      {
        AlgorithmFamilyCodeSequence: [codeItem({ value: '113076', scheme: 'DCM', meaning: 'Segmentation' })],
        AlgorithmName: seg.algorithm.modelId,
        AlgorithmVersion: seg.algorithm.version,
      },
    ],
  };
}

function frameItem(f: Frame, image: SourceImage): NaturalDataset {
  return {
    FrameContentSequence: [{ DimensionIndexValues: [f.segment, f.imageIndex + 1] }],
    PlanePositionSequence: [{ ImagePositionPatient: image.imagePositionPatient }],
    SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.segment }],
    DerivationImageSequence: [
      {
        SourceImageSequence: [
          {
            ReferencedSOPClassUID: image.sopClassUID,
            ReferencedSOPInstanceUID: image.sopInstanceUID,
            PurposeOfReferenceCodeSequence: [codeItem({ value: '121322', scheme: 'DCM', meaning: 'Source image for image processing operation' })],
          },
        ],
        DerivationCodeSequence: [codeItem({ value: '113076', scheme: 'DCM', meaning: 'Segmentation' })],
      },
    ],
  };
}

interface Geometry {
  rows: number;
  columns: number;
  orientation: number[];
  pixelSpacingMm: number[];
  sliceThicknessMm: number;
}

/** A SEG frame carries position only; size, orientation and spacing must be shared by the series. */
function commonGeometry(series: SourceSeries): Geometry {
  const [head] = series.images;
  if (!head) throw new Error('The source series has no images.');
  if (!series.frameOfReferenceUID) throw new Error('The source series has no Frame of Reference UID: a SEG cannot be placed on it.');
  const missing = series.images.findIndex((i) => !i.imagePositionPatient || !i.imageOrientationPatient || !i.pixelSpacingMm);
  if (missing >= 0) throw new Error(`Source image ${missing + 1} lacks position, orientation or pixel spacing: a SEG cannot be placed on it.`);
  const same = (a: readonly number[], b: readonly number[]) => a.every((v, i) => Math.abs(v - b[i]) < 1e-4);
  for (const [i, img] of series.images.entries()) {
    if (img.rows !== head.rows || img.columns !== head.columns || !same(img.imageOrientationPatient!, head.imageOrientationPatient!) || !same(img.pixelSpacingMm!, head.pixelSpacingMm!)) {
      throw new Error(`Source image ${i + 1} differs in size, orientation or pixel spacing from the first: one SEG cannot cover both.`);
    }
  }
  return {
    rows: head.rows,
    columns: head.columns,
    orientation: [...head.imageOrientationPatient!],
    pixelSpacingMm: [...head.pixelSpacingMm!],
    sliceThicknessMm: head.sliceThicknessMm ?? sliceGapMm(series.images),
  };
}

function sliceGapMm(images: readonly SourceImage[]): number {
  if (images.length < 2) return 1;
  const [a, b] = [images[0].imagePositionPatient!, images[1].imagePositionPatient!];
  return Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]) || 1;
}

const isInside = (v: number, value: number | undefined) => (value === undefined ? v !== 0 : v === value);

function countInside(mask: Uint8Array, value: number | undefined): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (isInside(mask[i], value)) n++;
  return n;
}

/** BINARY SEG pixel data: one bit a pixel, frames back to back, first pixel in the low bit (PS3.5 §8.1.1). */
function packBits(frames: readonly Frame[], pixelsPerFrame: number): ArrayBuffer {
  const totalBytes = Math.ceil((frames.length * pixelsPerFrame) / 8);
  const out = new Uint8Array(totalBytes + (totalBytes % 2));
  frames.forEach((f, k) => {
    if (!f.mask) return;
    const base = k * pixelsPerFrame;
    for (let i = 0; i < pixelsPerFrame; i++) {
      if (isInside(f.mask[i], f.value)) {
        const bit = base + i;
        out[bit >> 3] |= 1 << (bit & 7);
      }
    }
  });
  return out.buffer;
}
