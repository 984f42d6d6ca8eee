/**
 * Whole-series lung segmentation from HU: coarse air grids of every slice (airSlice.ts) -> air graph ->
 * trachea and main bronchi tracked and left out -> 3-D components, bowel gas left out -> left / right lung
 * per slice -> which slices the models may judge. The result is small (one byte per grid cell) and is what
 * every slice's full-resolution lung mask and crop are derived from (sliceLungRegion.ts).
 */
import type { Rect } from '../imageOps/raster.ts';
import { buildAirGraph } from './airGraph.ts';
import type { AirGrid, AirSlice } from './airSlice.ts';
import { trackAirway } from './airwayTracking.ts';
import { chooseLungComponents } from './lungComponents.ts';
import { LEFT_LUNG, RIGHT_LUNG, paintLungSides } from './lungSides.ts';
import { assessSlices, type SliceAssessment } from './sliceAssessment.ts';
import type { StudyGeometry } from './studyGeometry.ts';

/** Pixel size assumed when a file has none (typical chest CT); volumes are then not reported. */
export const DEFAULT_PIXEL_MM = 0.7;
/** Less lung than this in the whole series: not a chest CT, or the lungs are outside the field of view. */
const MIN_LUNG_ML = 250;

export interface StudyLungs {
  grid: AirGrid;
  geometry: StudyGeometry;
  /** Per slice, per grid cell: 0, RIGHT_LUNG or LEFT_LUNG. */
  sides: Uint8Array[];
  /** Per slice, lung area on the grid (mm²) and whether the models may judge it. */
  lungAreaMm2: number[];
  assessment: SliceAssessment[];
  /** Source column between the two lungs (pixels not painted left/right take their side from it). */
  midlineX: number;
  /** Bounding box of the lungs over all slices, in source pixels (null when none). */
  lungBox: Rect | null;
  /**
   * Coarse volumes (mL; cells wholly air, so a little below the full-resolution masks' volume, which the
   * summary reports); null without pixel spacing or slice positions/spacing.
   */
  lungVolumeMl: number | null;
  leftLungVolumeMl: number | null;
  rightLungVolumeMl: number | null;
  /** What was found and left out (mL, grid resolution; null when volumes are unknown). */
  excluded: { airwayMl: number | null; gasMl: number | null; otherMl: number | null };
  /** Null when lungs were found, else why the series cannot be analysed. */
  problem: string | null;
  /** The lungs reach the first/last slice with a wide section: the series does not cover them whole. */
  cutOff: { atHead: boolean; atFeet: boolean };
}

export function segmentStudyLungs(slices: readonly AirSlice[], grid: AirGrid, geometry: StudyGeometry): StudyLungs {
  const spacing = geometry.pixelSpacingMm;
  const cellMm2 = (spacing ? spacing[0] * spacing[1] : DEFAULT_PIXEL_MM ** 2) * grid.factor ** 2;
  const cellMm = Math.sqrt(cellMm2);
  const knownVolume = !!spacing && geometry.z.weightsMm.length === slices.length;
  // Component choice needs relative volumes only: unit slabs when z is unknown.
  const weightsMm = knownVolume ? geometry.z.weightsMm : slices.map(() => geometry.z.nominalMm ?? 1);
  const graph = buildAirGraph(slices, grid);
  const bodyCenterX = slices.map((s) => s.bodyCenterX);
  const airway = trackAirway({ graph, cellMm, bodyCenterX, superiorAtHighIndex: geometry.superiorAtHighIndex });
  const chosen = chooseLungComponents({ graph, excluded: airway, cellMm2, weightsMm });
  const painted = paintLungSides({
    graph, slices, lungNodes: chosen.lungNodes, cellMm,
    leftAtHighX: geometry.leftAtHighX, superiorAtHighIndex: geometry.superiorAtHighIndex,
  });
  const lungAreaMm2 = painted.rightCells.map((r, k) => (r + painted.leftCells[k]) * cellMm2);
  const ml = (cells: number[]): number | null =>
    knownVolume ? cells.reduce((s, c, k) => s + (c * cellMm2 * weightsMm[k]) / 1000, 0) : null;
  let airwayCells = 0;
  const airwayPerSlice = slices.map(() => 0);
  for (const v of airway) {
    airwayCells += graph.nodes[v].areaCells;
    airwayPerSlice[graph.nodes[v].slice] += graph.nodes[v].areaCells;
  }
  const right = ml(painted.rightCells), left = ml(painted.leftCells);
  const total = right === null || left === null ? null : right + left;
  const problem = lungProblem(lungAreaMm2, total, weightsMm);
  const widest = Math.max(0, ...lungAreaMm2);
  const endWide = (k: number): boolean => slices.length > 1 && lungAreaMm2[k] >= 0.5 * widest && widest > 0;
  const headEnd = geometry.superiorAtHighIndex ? slices.length - 1 : 0;
  const feetEnd = geometry.superiorAtHighIndex ? 0 : slices.length - 1;
  return {
    grid,
    geometry,
    sides: painted.sides,
    lungAreaMm2,
    assessment: problem ? lungAreaMm2.map(() => ({ assessed: false, reason: 'no-lung' as const })) : assessSlices(lungAreaMm2, geometry.superiorAtHighIndex),
    midlineX: (painted.midlineX + 0.5) * grid.factor,
    lungBox: lungBoxOf(painted.sides, grid),
    lungVolumeMl: total,
    leftLungVolumeMl: left,
    rightLungVolumeMl: right,
    excluded: {
      airwayMl: airwayCells === 0 ? 0 : ml(airwayPerSlice),
      gasMl: knownVolume ? chosen.excludedGasMl : null,
      otherMl: knownVolume ? chosen.excludedOtherMl : null,
    },
    problem,
    cutOff: { atHead: endWide(headEnd), atFeet: endWide(feetEnd) },
  };
}

function lungProblem(areaMm2: number[], totalMl: number | null, weightsMm: number[]): string | null {
  const relativeMl = totalMl ?? areaMm2.reduce((s, a, k) => s + (a * weightsMm[k]) / 1000, 0);
  if (relativeMl <= 0) return 'no lungs found: not a chest CT, or the lungs are outside the field of view';
  if (relativeMl < MIN_LUNG_ML && areaMm2.length > 1) {
    return `only ${relativeMl.toFixed(0)} mL of lung found: not a chest CT, or the lungs are mostly outside the series`;
  }
  return null;
}

function lungBoxOf(sides: Uint8Array[], grid: AirGrid): Rect | null {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (const s of sides) {
    for (let i = 0; i < s.length; i++) {
      if (!s[i]) continue;
      const x = i % grid.width, y = (i - x) / grid.width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return null;
  const f = grid.factor;
  return { x: x0 * f, y: y0 * f, w: (x1 - x0 + 1) * f, h: (y1 - y0 + 1) * f };
}

export { LEFT_LUNG, RIGHT_LUNG };
