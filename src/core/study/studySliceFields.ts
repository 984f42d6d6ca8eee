/**
 * The per-slice side of the whole-series CT analysis, for the CT module's `analyze`: is the `slice` argument
 * a study context, why a slice is not assessed, and the lung area per side (after the lesion model added
 * consolidation to the lung); for exports, the same split as a side map.
 */
import { LEFT_LUNG } from './lungSides.ts';
import { NOT_ASSESSED_TEXT } from './sliceAssessment.ts';
import { sideAt, type SliceLungRegion, type StudySliceContext } from './sliceLungRegion.ts';

export function isStudySliceContext(v: unknown): v is StudySliceContext {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'ct-study-slice';
}

/** Why the region's slice is not assessed, in words. */
export function notAssessedReason(region: SliceLungRegion): string {
  return NOT_ASSESSED_TEXT[region.reason ?? 'no-lung'];
}

/** `lung`: the final lung mask of the slice (0/1, the region's size). */
export function lungSideAreas(region: SliceLungRegion, ctx: StudySliceContext, lung: Uint8Array): { leftLungAreaPx: number; rightLungAreaPx: number } {
  let left = 0, all = 0;
  for (let i = 0; i < lung.length; i++) {
    if (!lung[i]) continue;
    all++;
    if (lungSideOf(region, ctx, i) === LEFT_LUNG) left++;
  }
  return { leftLungAreaPx: left, rightLungAreaPx: all - left };
}

/**
 * The side map of a final lung mask (0 outside, RIGHT_LUNG or LEFT_LUNG inside), by the same rule as
 * `lungSideAreas`, so its pixel counts are the record's left / right areas. Built on demand (exports):
 * no host keeps a side map per slice.
 */
export function lungSideMap(region: SliceLungRegion, ctx: StudySliceContext, lung: Uint8Array): Uint8Array {
  const out = new Uint8Array(lung.length);
  for (let i = 0; i < lung.length; i++) if (lung[i]) out[i] = lungSideOf(region, ctx, i);
  return out;
}

/** A lung pixel's side: the slice's own split where it has one (lesion pixels added by the model have none), else the grid's. */
function lungSideOf(region: SliceLungRegion, ctx: StudySliceContext, i: number): number {
  return region.sides[i] || sideAt(ctx, i);
}
