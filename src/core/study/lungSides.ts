/**
 * Second sweep over the coarse grid: paints each slice's lung cells as left or right lung. Lungs that touch
 * (anterior/posterior junction, or joined through a bronchus the airway tracking did not catch) form one
 * region on a slice; such a region is cut at its narrowest column near the midline. Small regions on the
 * midline above the lungs' widest level are airway or oesophagus left over, not lung, and are dropped.
 */
import type { AirGraph, AirNode } from './airGraph.ts';
import { sliceLabels } from './airGraph.ts';
import type { AirSlice } from './airSlice.ts';

export const RIGHT_LUNG = 1;
export const LEFT_LUNG = 2;

export interface SideOptions {
  /** Midline leftovers: smaller than this (mm²) and centred within `midlineLeftoverMm` of the midline. */
  midlineLeftoverMm2: number;
  midlineLeftoverMm: number;
  /** A region with at least this share on each side of the midline holds both lungs. */
  straddleShare: number;
  /** Half-width of the band searched for the narrowest column (mm). */
  cutBandMm: number;
}

const SIDE_DEFAULTS: SideOptions = {
  midlineLeftoverMm2: 1500,
  midlineLeftoverMm: 20,
  straddleShare: 0.15,
  cutBandMm: 40,
};

export interface SideInput {
  graph: AirGraph;
  slices: readonly AirSlice[];
  lungNodes: ReadonlySet<number>;
  cellMm: number;
  /** Patient left lies towards higher columns (Image Orientation row direction x >= 0). */
  leftAtHighX: boolean;
  superiorAtHighIndex: boolean;
}

export interface SideMaps {
  /** Per slice, per grid cell: 0, RIGHT_LUNG or LEFT_LUNG. */
  sides: Uint8Array[];
  rightCells: number[];
  leftCells: number[];
  /** Grid column between the lungs (centre of their joint bounding box). */
  midlineX: number;
}

export function paintLungSides(input: SideInput, options: Partial<SideOptions> = {}): SideMaps {
  const o = { ...SIDE_DEFAULTS, ...options };
  const { graph, slices, lungNodes, cellMm } = input;
  const { width } = graph.grid;
  const midlineX = lungMidline(graph, lungNodes);
  const widest = widestSlice(graph, lungNodes, slices.length);
  const aboveWidest = (k: number): boolean => (input.superiorAtHighIndex ? k > widest : k < widest);
  const out: SideMaps = { sides: [], rightCells: [], leftCells: [], midlineX };
  for (let k = 0; k < slices.length; k++) {
    const keep = new Map<number, AirNode>();
    for (let v = graph.firstNode[k]; v < graph.firstNode[k + 1]; v++) {
      const n = graph.nodes[v];
      if (!lungNodes.has(v)) continue;
      const leftover = aboveWidest(k) && n.areaCells * cellMm * cellMm < o.midlineLeftoverMm2 &&
        Math.abs(n.centroidX - midlineX) * cellMm < o.midlineLeftoverMm;
      if (!leftover) keep.set(n.label, n);
    }
    const sides = new Uint8Array(width * graph.grid.height);
    let right = 0, left = 0;
    if (keep.size > 0) {
      const labels = sliceLabels(slices[k], graph.grid);
      const cut = cutColumns(labels, width, keep, midlineX, Math.round(o.cutBandMm / cellMm), o.straddleShare);
      for (let i = 0; i < labels.length; i++) {
        const n = keep.get(labels[i]);
        if (!n) continue;
        const c = cut.get(labels[i]) ?? (n.centroidX >= midlineX ? -Infinity : Infinity);
        const highSide = i % width >= c;
        const s = highSide === input.leftAtHighX ? LEFT_LUNG : RIGHT_LUNG;
        sides[i] = s;
        if (s === LEFT_LUNG) left++;
        else right++;
      }
    }
    out.sides.push(sides);
    out.rightCells.push(right);
    out.leftCells.push(left);
  }
  return out;
}

/** Cut column for each region holding both lungs: its narrowest column within the band around the midline. */
function cutColumns(
  labels: Int32Array, width: number, keep: Map<number, AirNode>, midlineX: number, band: number, share: number,
): Map<number, number> {
  const columns = new Map<number, Float64Array>();
  for (const [label] of keep) columns.set(label, new Float64Array(width));
  for (let i = 0; i < labels.length; i++) {
    const col = columns.get(labels[i]);
    if (col) col[i % width]++;
  }
  const cuts = new Map<number, number>();
  const mid = Math.round(midlineX);
  for (const [label, n] of keep) {
    const col = columns.get(label)!;
    let low = 0;
    for (let x = 0; x < Math.min(width, mid); x++) low += col[x];
    if (low < share * n.areaCells || n.areaCells - low < share * n.areaCells) continue;
    let best = mid, bestCount = Infinity;
    for (let d = 0; d <= band; d++) {
      for (const x of d === 0 ? [mid] : [mid - d, mid + d]) {
        if (x < 0 || x >= width || col[x] >= bestCount) continue;
        best = x;
        bestCount = col[x];
      }
    }
    cuts.set(label, best);
  }
  return cuts;
}

function lungMidline(graph: AirGraph, lungNodes: ReadonlySet<number>): number {
  let x0 = Infinity, x1 = -Infinity;
  for (const v of lungNodes) {
    const b = graph.nodes[v].bbox;
    x0 = Math.min(x0, b.x);
    x1 = Math.max(x1, b.x + b.w - 1);
  }
  return Number.isFinite(x0) ? (x0 + x1) / 2 : graph.grid.width / 2;
}

function widestSlice(graph: AirGraph, lungNodes: ReadonlySet<number>, count: number): number {
  const area = new Float64Array(count);
  for (const v of lungNodes) area[graph.nodes[v].slice] += graph.nodes[v].areaCells;
  let best = 0;
  for (let k = 1; k < count; k++) if (area[k] > area[best]) best = k;
  return best;
}
