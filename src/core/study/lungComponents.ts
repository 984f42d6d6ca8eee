/**
 * Chooses which 3-D air components are lung. The largest component that is not gas is the main lung (both
 * lungs when they touch). Any other component joins it when it is not gas, not tiny, and lies mostly at
 * levels where the main lung is wide -- the other lung, or a piece of a diseased lung cut off by
 * consolidation. Bowel and stomach gas fail both tests: it is nearly pure air (block means below -950 HU,
 * where aerated lung averages ~ -850) and it sits below the domes of the diaphragm, where the lungs narrow.
 */
import type { AirGraph } from './airGraph.ts';

export interface LungComponentOptions {
  /** A component whose cells are at least this share pure gas is bowel/stomach gas or a large airway. */
  gasShare: number;
  /**
   * A 2-D region this share pure gas and smaller than `gasRegionMaxMm2` is gas on its own slice, left out
   * before the 3-D components: with thick slices, gas just under a dome of the diaphragm overlaps the lung
   * base on the next slice, and would otherwise join the lung in 3-D.
   */
  gasRegionShare: number;
  gasRegionMaxMm2: number;
  /** Extra components must reach this volume (mL) and this share of the main lung. */
  minExtraMl: number;
  minExtraShare: number;
  /** "Chest level": a slice where the main lung has at least this share of its widest slice's area. */
  chestLevelShare: number;
  /** Extra components must have at least this share of their volume at chest levels. */
  minShareAtChestLevels: number;
}

const LUNG_COMPONENT_DEFAULTS: LungComponentOptions = {
  gasShare: 0.7,
  gasRegionShare: 0.6,
  gasRegionMaxMm2: 3000,
  minExtraMl: 2,
  minExtraShare: 0.005,
  chestLevelShare: 0.4,
  minShareAtChestLevels: 0.5,
};

export interface ComponentInput {
  graph: AirGraph;
  /** Nodes never part of the lungs (the airway). */
  excluded: ReadonlySet<number>;
  /** Area of one grid cell (mm²). */
  cellMm2: number;
  /** Slab of each slice (mm). */
  weightsMm: readonly number[];
}

export interface LungComponents {
  /** Nodes that are lung. */
  lungNodes: Set<number>;
  /** Volumes (mL, grid resolution) of what was left out, for the record. */
  excludedGasMl: number;
  excludedOtherMl: number;
}

interface Component3d {
  nodes: number[];
  volumeMl: number;
  gasMl: number;
  /** Cells per slice. */
  perSlice: Map<number, number>;
}

export function chooseLungComponents(input: ComponentInput, options: Partial<LungComponentOptions> = {}): LungComponents {
  const o = { ...LUNG_COMPONENT_DEFAULTS, ...options };
  const gasRegions = new Set<number>();
  let excludedGasMl = 0, excludedOtherMl = 0;
  input.graph.nodes.forEach((n, i) => {
    if (input.excluded.has(i) || n.gasCells < o.gasRegionShare * n.areaCells || n.areaCells * input.cellMm2 > o.gasRegionMaxMm2) return;
    gasRegions.add(i);
    excludedGasMl += (n.areaCells * input.cellMm2 * (input.weightsMm[n.slice] ?? 0)) / 1000;
  });
  const comps = components3d({ ...input, excluded: new Set([...input.excluded, ...gasRegions]) }).sort((a, b) => b.volumeMl - a.volumeMl);
  const isGas = (c: Component3d): boolean => c.volumeMl > 0 && c.gasMl / c.volumeMl >= o.gasShare;
  const main = comps.find((c) => !isGas(c));
  const lungNodes = new Set<number>();
  if (!main) {
    for (const c of comps) excludedGasMl += c.volumeMl;
    return { lungNodes, excludedGasMl, excludedOtherMl };
  }
  const widest = Math.max(...main.perSlice.values());
  const chestLevel = (k: number): boolean => (main.perSlice.get(k) ?? 0) >= o.chestLevelShare * widest;
  for (const c of comps) {
    let keep = c === main;
    if (!keep && !isGas(c) && c.volumeMl >= Math.max(o.minExtraMl, o.minExtraShare * main.volumeMl)) {
      let atChest = 0, all = 0;
      for (const [k, cells] of c.perSlice) {
        const w = cells * (input.weightsMm[k] ?? 0);
        all += w;
        if (chestLevel(k)) atChest += w;
      }
      keep = all > 0 && atChest / all >= o.minShareAtChestLevels;
    }
    if (keep) for (const v of c.nodes) lungNodes.add(v);
    else if (isGas(c)) excludedGasMl += c.volumeMl;
    else excludedOtherMl += c.volumeMl;
  }
  return { lungNodes, excludedGasMl, excludedOtherMl };
}

/** Components of the graph without the excluded nodes (union-find over overlap edges). */
function components3d(input: ComponentInput): Component3d[] {
  const { graph, excluded, cellMm2, weightsMm } = input;
  const parent = Int32Array.from({ length: graph.nodes.length }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  graph.up.forEach((ns, a) => {
    if (excluded.has(a)) return;
    for (const b of ns) if (!excluded.has(b)) parent[find(a)] = find(b);
  });
  const byRoot = new Map<number, Component3d>();
  graph.nodes.forEach((n, i) => {
    if (excluded.has(i)) return;
    const r = find(i);
    let c = byRoot.get(r);
    if (!c) byRoot.set(r, (c = { nodes: [], volumeMl: 0, gasMl: 0, perSlice: new Map() }));
    const mlPerCell = (cellMm2 * (weightsMm[n.slice] ?? 0)) / 1000;
    c.nodes.push(i);
    c.volumeMl += n.areaCells * mlPerCell;
    c.gasMl += n.gasCells * mlPerCell;
    c.perSlice.set(n.slice, (c.perSlice.get(n.slice) ?? 0) + n.areaCells);
  });
  return [...byRoot.values()];
}
