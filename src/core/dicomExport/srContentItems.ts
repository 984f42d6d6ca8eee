import type { NaturalDataset } from 'dcmjs';
import { codeItem, srCodes, type Code } from './codes.ts';
import { newUid } from './newUid.ts';
import type { AlgorithmId } from './studyModules.ts';

/**
 * SR content items as naturalized datasets (dcmjs encodes them). dcmjs ships SR templates too,
 * but in 0.52 several are broken (TrackingIdentifier check inverted, ReferencedSegmentation reads
 * misspelt options), so the few item shapes TID 1500 needs are built here, typed.
 */
export type Relationship = 'CONTAINS' | 'HAS OBS CONTEXT' | 'HAS CONCEPT MOD' | 'SELECTED FROM' | 'HAS PROPERTIES';
export type ContentItem = NaturalDataset;

const base = (rel: Relationship, valueType: string, name: Code): ContentItem => ({
  RelationshipType: rel,
  ValueType: valueType,
  ConceptNameCodeSequence: [codeItem(name)],
});

export function containerItem(rel: Relationship | undefined, name: Code, children: ContentItem[], templateId?: string): ContentItem {
  const item: ContentItem = { ...(rel ? base(rel, 'CONTAINER', name) : { ValueType: 'CONTAINER', ConceptNameCodeSequence: [codeItem(name)] }), ContinuityOfContent: 'SEPARATE' };
  if (templateId) item.ContentTemplateSequence = [{ MappingResource: 'DCMR', TemplateIdentifier: templateId }];
  if (children.length) item.ContentSequence = children;
  return item;
}

export const textItem = (rel: Relationship, name: Code, value: string): ContentItem => ({ ...base(rel, 'TEXT', name), TextValue: value });

export const codeValueItem = (rel: Relationship, name: Code, value: Code): ContentItem => ({
  ...base(rel, 'CODE', name),
  ConceptCodeSequence: [codeItem(value)],
});

export const uidRefItem = (rel: Relationship, name: Code, uid: string): ContentItem => ({ ...base(rel, 'UIDREF', name), UID: uid });

export function numItem(name: Code, value: number, unit: Code, children: ContentItem[] = []): ContentItem {
  const item: ContentItem = {
    ...base('CONTAINS', 'NUM', name),
    MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: [codeItem(unit)], NumericValue: decimalString(value), FloatingPointValue: value }],
  };
  if (children.length) item.ContentSequence = children;
  return item;
}

export interface InstanceRef {
  sopClassUID: string;
  sopInstanceUID: string;
}

export function imageItem(rel: Relationship, name: Code, ref: InstanceRef, segmentNumber?: number): ContentItem {
  const sop: NaturalDataset = { ReferencedSOPClassUID: ref.sopClassUID, ReferencedSOPInstanceUID: ref.sopInstanceUID };
  if (segmentNumber !== undefined) sop.ReferencedSegmentNumber = segmentNumber;
  return { ...base(rel, 'IMAGE', name), ReferencedSOPSequence: [sop] };
}

/** A closed POLYLINE (x, y pairs in image pixels, origin at the top-left pixel's corner) on its source image. */
export function imageRegionItem(points: [number, number][], source: InstanceRef): ContentItem {
  return {
    ...base('CONTAINS', 'SCOORD', srCodes.imageRegion),
    GraphicType: 'POLYLINE',
    GraphicData: points.flat(),
    ContentSequence: [imageItem('SELECTED FROM', srCodes.sourceImage, source)],
  };
}

/** TID 4019 Algorithm Identification, as concept modifiers of a measurement. */
export function algorithmItems(a: AlgorithmId): ContentItem[] {
  return [textItem('HAS CONCEPT MOD', srCodes.algorithmName, a.modelId), textItem('HAS CONCEPT MOD', srCodes.algorithmVersion, a.version)];
}

/** The two items every measurement group starts with: a human label and a unique id. */
export function trackingItems(label: string): ContentItem[] {
  return [textItem('HAS OBS CONTEXT', srCodes.trackingIdentifier, label), uidRefItem('HAS OBS CONTEXT', srCodes.trackingUid, newUid())];
}

/** DS is at most 16 characters: keep as many significant digits as fit. */
function decimalString(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`Not a finite number: ${v}`);
  for (let digits = 15; digits > 0; digits--) {
    const s = String(Number(v.toPrecision(digits)));
    if (s.length <= 16) return s;
  }
  return String(Math.round(v));
}
