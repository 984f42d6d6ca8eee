/**
 * Left / right lung for the CT exports, split on demand: hosts keep one lung mask per slice, not a side map,
 * so the split is rebuilt here from the series' study preparation (the host's, else prepared again) and each
 * slice's HU, by the rule the slice analysis used for its left / right areas (studySliceFields.ts). The
 * exported sides therefore add up to the printed left / right volumes.
 */
import type { ExportInput } from '../analyses/analysisModule.ts';
import type { CtRecord } from '../analyses/ct/ctRecord.ts';
import { hasModalityValues } from '../image/medicalImage.ts';
import { prepareCtStudy, type CtStudyPreparation } from '../study/ctStudyPreparation.ts';
import { sliceLungRegion } from '../study/sliceLungRegion.ts';
import { lungSideMap } from '../study/studySliceFields.ts';

export { LEFT_LUNG, RIGHT_LUNG } from '../study/lungSides.ts';

/**
 * Per analysed slice with lung, its side map (0, RIGHT_LUNG, LEFT_LUNG); null when the series has no
 * whole-series preparation (analysed slice by slice: no left / right).
 */
export async function lungSideMaps<S>(
  input: ExportInput<CtRecord, S>,
  lung: (index: number) => Uint8Array | undefined,
): Promise<Map<number, Uint8Array> | null> {
  const prep = isStudyPreparation(input.prepared)
    ? input.prepared
    : await prepareCtStudy({ headers: input.headers, indices: input.slices.map((s) => s.index), load: (i) => input.image(i) });
  if (!prep) return null;
  const maps = new Map<number, Uint8Array>();
  for (const { index } of input.slices) {
    const mask = lung(index);
    if (!mask) continue;
    const ctx = prep.sliceContext(index);
    const image = ctx && (await input.image(index));
    if (!ctx || !image || !hasModalityValues(image.kind)) return null;
    maps.set(index, lungSideMap(sliceLungRegion(ctx, image.pixels), ctx, mask));
  }
  return maps;
}

function isStudyPreparation(v: unknown): v is CtStudyPreparation {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'ct-study';
}
