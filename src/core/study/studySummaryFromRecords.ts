/**
 * The whole-series summary from what a host holds after (or during) a run: the slice records, the masks
 * of analysed slices and the series preparation. Lesion instances are tracked incrementally -- the app asks
 * for the summary after every slice -- so each slice's masks are read once.
 */
import type { ImageMasks, SliceRecord } from '../analyses/analysisModule.ts';
import { isAssessed, type CtRecord } from '../analyses/ct/ctRecord.ts';
import { sliceSpacingMm } from '../report/sliceSpacing.ts';
import type { SliceHeader } from '../series/series.ts';
import type { CtStudyPreparation } from './ctStudyPreparation.ts';
import { summarizeCtStudy, type CtStudySummary, type StudySliceNumbers } from './ctStudySummary.ts';
import { LesionTracker } from './lesionInstances.ts';
import { sideAt } from './sliceLungRegion.ts';

/** A record's numbers for the summary: a slice not assessed counts its lung only (it has no model numbers). */
function sliceNumbers(index: number, r: CtRecord): StudySliceNumbers {
  const assessed = isAssessed(r);
  return {
    index, assessed, lungAreaPx: r.lungAreaPx,
    leftLungAreaPx: r.leftLungAreaPx ?? 0, rightLungAreaPx: r.rightLungAreaPx ?? r.lungAreaPx,
    lesionAreaPx: assessed ? r.lesionAreaPx : 0, regressionPercent: assessed ? r.infectionPercent : null,
  };
}

const trackers = new WeakMap<CtStudyPreparation, { tracker: LesionTracker; last: number; seen: Set<number> }>();

export function summarizeStudyRecords(
  slices: readonly SliceRecord<CtRecord>[],
  prep: CtStudyPreparation,
  masks: ((index: number) => ImageMasks | undefined) | undefined,
): CtStudySummary {
  const { geometry } = prep.lungs;
  let state = trackers.get(prep);
  const sorted = [...slices].sort((a, b) => a.index - b.index);
  if (!state || sorted.some((s) => s.index <= state!.last && !state!.seen.has(s.index))) {
    state = { tracker: new LesionTracker(geometry.columns, geometry.rows), last: -1, seen: new Set<number>() };
    trackers.set(prep, state);
  }
  for (const s of sorted) {
    if (s.index <= state.last) continue;
    // a slice not assessed has no lesions, but counts as seen: else every later call would start over
    const m = s.record.assessed === false ? undefined : masks?.(s.index);
    const ctx = prep.sliceContext(s.index);
    if (m?.lesion && ctx) {
      state.tracker.add(s.index, m.lesion.data, m.consolidation?.data ?? new Uint8Array(m.lesion.data.length), (i) => sideAt(ctx, i));
    }
    state.last = s.index;
    state.seen.add(s.index);
  }
  const numbers = sorted.map(({ index, record }) => sliceNumbers(index, record));
  const s = geometry.pixelSpacingMm;
  const pixelAreaMm2 = s ? s[0] * s[1] : null;
  const w = geometry.z.weightsMm;
  const weightsMm = w.length === prep.indices.length ? new Map(prep.indices.map((i, k) => [i, w[k]])) : null;
  return summarizeCtStudy({
    slices: numbers, pixelAreaMm2, weightsMm, sliceSpacingMm: geometry.z.nominalMm,
    lesions: state.tracker.instances(pixelAreaMm2, weightsMm),
  });
}

/**
 * Without a study preparation (a single image, a localizer or reformat analysed slice by slice, PNG/JPEG):
 * the same summary from the records alone -- every slice counts, uniform slabs (spacing × stride), no
 * left/right split and no lesion instances.
 */
export function summarizeSliceRecords(
  slices: readonly SliceRecord<CtRecord>[],
  headers: readonly SliceHeader[],
  stride: number,
): CtStudySummary {
  const spacing = sliceSpacingMm(headers);
  const ps = headers[0]?.pixelSpacingMm;
  return summarizeCtStudy({
    slices: slices.map(({ index, record }) => ({ ...sliceNumbers(index, record), leftLungAreaPx: Number.NaN, rightLungAreaPx: Number.NaN })),
    pixelAreaMm2: ps ? ps[0] * ps[1] : null,
    weightsMm: spacing === null ? null : new Map(slices.map((s) => [s.index, spacing * stride])),
    sliceSpacingMm: spacing === null ? null : spacing * stride,
    lesions: [],
  });
}
