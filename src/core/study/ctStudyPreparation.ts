/**
 * The CT analysis' whole-series step, run by the host before the slices: is this series a whole-study
 * candidate (classifySeries.ts), and if so its 3-D lungs. Each analysed slice then gets a small context
 * (`sliceContext`) from which the slice analysis builds its lung mask and crop (sliceLungRegion.ts), and the
 * summary gets the geometry and lung sides. Null for what is not a whole-series case (a single image, a
 * localizer, a reformat): those are analysed slice by slice, as before.
 */
import type { MedicalImage } from '../image/medicalImage.ts';
import { classifyCtSeries } from '../series/classifySeries.ts';
import type { Series, SliceHeader } from '../series/series.ts';
import { readStudyLungs } from './readStudyLungs.ts';
import { studySliceContext, type StudySliceContext } from './sliceLungRegion.ts';
import type { StudyLungs } from './studyLungs.ts';

export interface CtStudyPreparation {
  kind: 'ct-study';
  lungs: StudyLungs;
  /** Series indices analysed (all, or every k-th slice of a long series), ascending. */
  indices: readonly number[];
  /** Series-level notes: gaps, duplicates, mixed thickness, lungs cut off, no lungs. */
  warnings: string[];
  sliceContext(seriesIndex: number): StudySliceContext | undefined;
}

export interface StudyInput {
  headers: readonly SliceHeader[];
  /** Series indices the host will analyse, ascending. */
  indices: readonly number[];
  load(seriesIndex: number): Promise<MedicalImage>;
  onRead?(done: number, total: number): void;
}

export async function prepareCtStudy(input: StudyInput): Promise<CtStudyPreparation | null> {
  const verdict = classifyCtSeries([seriesOf(input.headers, input.indices)]).get('study');
  if (!verdict?.analyse) return null;
  const picked = new Set(verdict.slices.map((s) => s.inputIndex));
  // duplicates and minority thicknesses are dropped by the verdict; keep the host's order
  const indices = input.indices.filter((i) => picked.has(i));
  const lungs = await readStudyLungs(indices.map((i) => input.headers[i]), {
    load: (k) => input.load(indices[k]),
    onRead: (k) => input.onRead?.(k + 1, indices.length),
  });
  const warnings = [...verdict.warnings];
  if (lungs.problem) warnings.push(lungs.problem);
  if (lungs.cutOff.atHead) warnings.push('the lungs continue above the first slice: the series does not cover them whole');
  if (lungs.cutOff.atFeet) warnings.push('the lungs continue below the last slice: the series does not cover them whole');
  return restoreCtStudyPreparation({ kind: 'ct-study', lungs, indices, warnings });
}

/**
 * A preparation from its data (e.g. its structured clone, which drops `sliceContext`): the app computes it in a
 * worker, off the page's main thread, and rebuilds it there.
 */
export function restoreCtStudyPreparation(data: Omit<CtStudyPreparation, 'sliceContext'>): CtStudyPreparation {
  const { lungs, indices, warnings } = data;
  const position = new Map(indices.map((i, k) => [i, k]));
  return {
    kind: 'ct-study',
    lungs,
    indices,
    warnings,
    sliceContext(seriesIndex) {
      const k = position.get(seriesIndex);
      return k === undefined ? undefined : studySliceContext(lungs, k);
    },
  };
}

/** The analysed headers as a one-series list for the classifier (inputIndex = series index). */
function seriesOf(headers: readonly SliceHeader[], indices: readonly number[]): Series {
  const h = headers[indices[0]] ?? headers[0];
  return {
    key: 'study', studyInstanceUID: h?.studyInstanceUID ?? '', seriesInstanceUID: h?.seriesInstanceUID ?? '',
    modality: h?.modality ?? '', description: h?.seriesDescription ?? '', kind: h?.kind ?? 'dicom',
    slices: indices.map((i) => ({ input: { name: String(i), size: 0, read: async () => new ArrayBuffer(0) }, inputIndex: i, frameIndex: 0, header: headers[i] })),
  };
}
