/**
 * Finds the trachea and main bronchi in the air graph so they can be left out of the lungs. On axial slices
 * the trachea is a small, compact air region near the body's midline, above the lungs' widest level; it is
 * followed towards the feet through regions that overlap it and stay tube-sized. Where a bronchus enters the
 * lung its region merges with the lung's and becomes large: the track stops there, so intrapulmonary airways
 * stay lung. Tuned to anatomy in millimetres, not to pixels or slice counts.
 */
import type { AirGraph, AirNode } from './airGraph.ts';

export interface AirwayOptions {
  /** Trachea cross-section range (mm²): ~ 8 mm to ~ 32 mm across. */
  seedMinMm2: number;
  seedMaxMm2: number;
  /** The seed's centre lies at most this far from the body's midline (mm). */
  seedMaxOffMidlineMm: number;
  /** Tracked regions never exceed this area (mm²) or this width (mm). */
  tubeMaxMm2: number;
  tubeMaxSideMm: number;
  /** A tracked region may grow at most this much relative to the region it continues (plus 60 mm²). */
  growthFactor: number;
}

const AIRWAY_DEFAULTS: AirwayOptions = {
  seedMinMm2: 50,
  seedMaxMm2: 800,
  seedMaxOffMidlineMm: 25,
  tubeMaxMm2: 900,
  tubeMaxSideMm: 45,
  growthFactor: 1.6,
};

export interface AirwayInput {
  graph: AirGraph;
  /** Side of one grid cell (mm). */
  cellMm: number;
  /** Per slice, the body's left-right centre (grid column). */
  bodyCenterX: readonly number[];
  /** True when higher slice indices are nearer the head. */
  superiorAtHighIndex: boolean;
}

/** Node indices of the airway (empty when no trachea-like seed is found). */
export function trackAirway(input: AirwayInput, options: Partial<AirwayOptions> = {}): Set<number> {
  const o = { ...AIRWAY_DEFAULTS, ...options };
  const { graph, cellMm } = input;
  const cellMm2 = cellMm * cellMm;
  const areaMm2 = (n: AirNode): number => n.areaCells * cellMm2;
  const tubeShaped = (n: AirNode): boolean =>
    n.bbox.w * cellMm <= o.tubeMaxSideMm && n.bbox.h * cellMm <= o.tubeMaxSideMm && n.areaCells >= 0.4 * n.bbox.w * n.bbox.h;
  const seed = findSeed(input, o, areaMm2, tubeShaped);
  const airway = new Set<number>();
  if (seed < 0) return airway;
  const towardsFeet = input.superiorAtHighIndex ? graph.down : graph.up;
  const queue = [seed];
  airway.add(seed);
  while (queue.length) {
    const u = queue.shift()!;
    for (const v of towardsFeet[u]) {
      if (airway.has(v)) continue;
      const n = graph.nodes[v];
      const a = areaMm2(n);
      if (a > o.tubeMaxMm2 || a > o.growthFactor * areaMm2(graph.nodes[u]) + 60 || !tubeShaped(n)) continue;
      airway.add(v);
      queue.push(v);
    }
  }
  return airway;
}

/** The largest compact midline region on the most superior slice that has one, searching the upper half. */
function findSeed(
  input: AirwayInput,
  o: AirwayOptions,
  areaMm2: (n: AirNode) => number,
  tubeShaped: (n: AirNode) => boolean,
): number {
  const { graph, cellMm, bodyCenterX } = input;
  const count = graph.firstNode.length - 1;
  const order = Array.from({ length: count }, (_, i) => (input.superiorAtHighIndex ? count - 1 - i : i));
  for (const k of order.slice(0, Math.ceil(count / 2))) {
    let best = -1;
    for (let v = graph.firstNode[k]; v < graph.firstNode[k + 1]; v++) {
      const n = graph.nodes[v];
      const a = areaMm2(n);
      if (a < o.seedMinMm2 || a > o.seedMaxMm2 || !tubeShaped(n)) continue;
      if (!(Math.abs(n.centroidX - bodyCenterX[k]) * cellMm <= o.seedMaxOffMidlineMm)) continue;
      if (best < 0 || n.areaCells > graph.nodes[best].areaCells) best = v;
    }
    if (best >= 0) return best;
  }
  return -1;
}
