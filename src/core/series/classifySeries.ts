/**
 * Which CT series of a study can be analysed as a whole (axial stack of at least 2 slices), and for every
 * other one a reason a person understands. Decided from headers only, before any pixel is decoded:
 *  - one image: a localizer/scout (not axial) or a single slice;
 *  - not axial: a coronal or sagittal reformat (MPR), or an oblique stack;
 *  - the same anatomy twice: a second reconstruction (other kernel or thickness) of a series already taken;
 *  - inside an analysable series: duplicate slices are dropped, mixed thicknesses keep the largest group,
 *    gaps and uneven spacing are reported (volumes stay right: see sliceGeometry.ts).
 * Reports and other objects without pixels never get here: ingestion names them ("holds no image").
 * Whether a CT shows a chest at all is known only after the lung pass (studyLungs.ts `problem`).
 */
import type { Series, SliceRef } from './series.ts';
import { sliceNormal, slicePositionsMm, zSpacing } from './sliceGeometry.ts';
import { hasModalityValues } from '../image/medicalImage.ts';

export type NotAnalysedKind = 'localizer' | 'single-slice' | 'non-axial' | 'second-reconstruction';

export type SeriesVerdict =
  | { analyse: true; slices: SliceRef[]; warnings: string[] }
  | { analyse: false; kind: NotAnalysedKind; reason: string };

/** |normal · z| above this is axial (within ~25°), as the slice analyses' own check. */
const AXIAL = 0.9;
/** Slices closer than this along the normal are the same slice. */
const SAME_POSITION_MM = 0.01;
/** Two stacks overlapping over this share of the shorter one show the same anatomy. */
const SAME_ANATOMY = 0.5;

/** Verdicts for the CT series (`modality === 'CT'`, DICOM) among `series`, by series key. */
export function classifyCtSeries(series: readonly Series[]): Map<string, SeriesVerdict> {
  const out = new Map<string, SeriesVerdict>();
  const stacks: { s: Series; slices: SliceRef[]; range: [number, number] | null; spacing: number }[] = [];
  for (const s of series) {
    if (!hasModalityValues(s.kind) || s.modality !== 'CT') continue;
    const v = classifyOne(s);
    out.set(s.key, v);
    if (v.analyse) {
      const pos = slicePositionsMm(v.slices.map((x) => x.header));
      const range: [number, number] | null = pos ? [Math.min(...pos), Math.max(...pos)] : null;
      stacks.push({ s, slices: v.slices, range, spacing: zSpacing(pos, v.slices.length, null).nominalMm ?? Infinity });
    }
  }
  // Finest spacing first (then more slices, then series order): the others of the same anatomy are repeats.
  stacks.sort((a, b) => a.spacing - b.spacing || b.slices.length - a.slices.length);
  const kept: typeof stacks = [];
  for (const st of stacks) {
    const twin = kept.find((k) => k.s.studyInstanceUID === st.s.studyInstanceUID && sameAnatomy(k.range, st.range));
    if (!twin) {
      kept.push(st);
      continue;
    }
    out.set(st.s.key, {
      analyse: false,
      kind: 'second-reconstruction',
      reason: `second reconstruction of the anatomy of series ${describe(twin.s)}: analysed once, there` +
        ` (select this series and run it on its own if you want it)`,
    });
  }
  return out;
}

function classifyOne(s: Series): SeriesVerdict {
  const o = s.slices.find((x) => x.header.imageOrientationPatient)?.header.imageOrientationPatient;
  const n = o ? sliceNormal(o) : null;
  const axial = !n || Math.abs(n[2]) > AXIAL;
  if (s.slices.length === 1) {
    return axial
      ? { analyse: false, kind: 'single-slice', reason: 'a single slice: the whole-series analysis needs at least 2 axial slices (the slice itself can still be analysed)' }
      : { analyse: false, kind: 'localizer', reason: 'localizer/scout (one projection image, not an axial slice): not analysed' };
  }
  if (!axial && n) {
    const plane = Math.abs(n[1]) >= Math.abs(n[0]) && Math.abs(n[1]) > AXIAL ? 'coronal'
      : Math.abs(n[0]) > AXIAL ? 'sagittal' : 'oblique';
    return { analyse: false, kind: 'non-axial', reason: `${plane} ${plane === 'oblique' ? 'stack' : 'reformat (MPR)'}: the CT models were trained on axial slices` };
  }
  const warnings: string[] = [];
  let slices = byLargestThickness(s.slices, warnings);
  slices = withoutDuplicates(slices, warnings);
  if (slices.length < 2) return { analyse: false, kind: 'single-slice', reason: 'fewer than 2 distinct axial slices' };
  const pos = slicePositionsMm(slices.map((x) => x.header));
  if (!pos) warnings.push('no slice positions: slices ordered by Instance Number, slabs from the stated spacing/thickness');
  const z = zSpacing(pos, slices.length, slices[0].header.spacingBetweenSlicesMm ?? slices[0].header.sliceThicknessMm ?? null);
  if (z.gaps.length > 0) {
    const missing = z.gaps.reduce((sum, g) => sum + Math.round(g.stepMm / (z.nominalMm ?? g.stepMm)) - 1, 0);
    warnings.push(`gaps in z: about ${missing} slice(s) missing (${z.gaps.map((g) => `${g.stepMm.toFixed(1)} mm after slice ${g.afterIndex + 1}`).join(', ')}); volumes interpolate across them`);
  }
  if (z.uneven) warnings.push('uneven slice spacing: each slice is weighted by the slab it stands for');
  if (z.weightsMm.length === 0) warnings.push('no slice spacing or thickness: volumes cannot be given');
  return { analyse: true, slices, warnings };
}

/** Slices of the most common thickness when a series mixes thicknesses (two reconstructions under one UID). */
function byLargestThickness(slices: SliceRef[], warnings: string[]): SliceRef[] {
  const groups = new Map<string, SliceRef[]>();
  for (const s of slices) {
    const t = s.header.sliceThicknessMm;
    const key = t === undefined ? '?' : t.toFixed(2);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(s);
  }
  if (groups.size < 2) return slices;
  const ranked = [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
  const [keep, kept] = ranked[0];
  const left = ranked.slice(1).map(([t, g]) => `${g.length} of ${t} mm`).join(', ');
  warnings.push(`mixed slice thickness: analysed the ${kept.length} slices of ${keep} mm, left out ${left}`);
  return kept;
}

/** Drops slices at the position of the previous one (a file copied twice, or re-sent). */
function withoutDuplicates(slices: SliceRef[], warnings: string[]): SliceRef[] {
  const pos = slicePositionsMm(slices.map((s) => s.header));
  if (!pos) return slices;
  const out: SliceRef[] = [];
  let dropped = 0;
  slices.forEach((s, i) => {
    if (i > 0 && Math.abs(pos[i] - pos[i - 1]) < SAME_POSITION_MM) dropped++;
    else out.push(s);
  });
  if (dropped > 0) warnings.push(`${dropped} duplicate slice(s) at the same position ignored`);
  return out;
}

function sameAnatomy(a: [number, number] | null, b: [number, number] | null): boolean {
  if (!a || !b) return false;
  const overlap = Math.min(a[1], b[1]) - Math.max(a[0], b[0]);
  const shorter = Math.min(a[1] - a[0], b[1] - b[0]);
  return shorter > 0 && overlap / shorter > SAME_ANATOMY;
}

function describe(s: Series): string {
  const n = s.slices[0]?.header.seriesNumber;
  return `${n ?? '?'}${s.description ? ` (${s.description})` : ''}`;
}
