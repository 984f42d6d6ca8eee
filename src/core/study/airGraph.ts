/**
 * The air inside the body as a graph: nodes are the 2-D connected air regions of each slice, edges join
 * regions of neighbouring slices that overlap. 3-D connected components are the graph's components, so the
 * 3-D steps (airway tracking, choosing the lungs) work on a few thousand nodes instead of millions of voxels,
 * and only two slices of labels are ever in memory.
 */
import type { Rect } from '../imageOps/raster.ts';
import { connectedComponents } from '../postprocess/connectedComponents.ts';
import { AIR, GAS, type AirGrid, type AirSlice } from './airSlice.ts';

export interface AirNode {
  slice: number;
  /** Label of this region in `sliceLabels(slice)`. */
  label: number;
  areaCells: number;
  gasCells: number;
  centroidX: number;
  centroidY: number;
  bbox: Rect;
}

export interface AirGraph {
  grid: AirGrid;
  nodes: AirNode[];
  /** Node index range of each slice: nodes[firstNode[k] .. firstNode[k + 1]). */
  firstNode: number[];
  /** Neighbours of each node in the previous / next slice. */
  down: number[][];
  up: number[][];
}

/** 2-D labels of a slice's air cells (8-connected; deterministic, so a second sweep finds the same labels). */
export function sliceLabels(slice: AirSlice, grid: AirGrid): Int32Array {
  const air = new Uint8Array(slice.cells.length);
  for (let i = 0; i < air.length; i++) air[i] = slice.cells[i] & AIR;
  return connectedComponents(air, grid.width, grid.height).labels;
}

export function buildAirGraph(slices: readonly AirSlice[], grid: AirGrid): AirGraph {
  const nodes: AirNode[] = [];
  const firstNode: number[] = [];
  const down: number[][] = [];
  const up: number[][] = [];
  let prev: Int32Array | null = null;
  for (let k = 0; k < slices.length; k++) {
    const base = nodes.length;
    firstNode.push(base);
    const labels = sliceLabels(slices[k], grid);
    const cells = slices[k].cells;
    const acc = new Map<number, { area: number; gas: number; sx: number; sy: number; x0: number; y0: number; x1: number; y1: number }>();
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (!l) continue;
      const x = i % grid.width, y = (i - x) / grid.width;
      let a = acc.get(l);
      if (!a) acc.set(l, (a = { area: 0, gas: 0, sx: 0, sy: 0, x0: x, y0: y, x1: x, y1: y }));
      a.area++;
      if (cells[i] & GAS) a.gas++;
      a.sx += x;
      a.sy += y;
      if (x < a.x0) a.x0 = x;
      if (x > a.x1) a.x1 = x;
      if (y > a.y1) a.y1 = y;
    }
    // labels are 1..N in raster order of first pixel, so insertion order == label order
    for (const [label, a] of acc) {
      nodes.push({
        slice: k, label, areaCells: a.area, gasCells: a.gas, centroidX: a.sx / a.area, centroidY: a.sy / a.area,
        bbox: { x: a.x0, y: a.y0, w: a.x1 - a.x0 + 1, h: a.y1 - a.y0 + 1 },
      });
      down.push([]);
      up.push([]);
    }
    if (prev) {
      const pbase = firstNode[k - 1];
      const seen = new Set<number>();
      for (let i = 0; i < labels.length; i++) {
        if (!labels[i] || !prev[i]) continue;
        const a = pbase + prev[i] - 1, b = base + labels[i] - 1;
        const key = a * 65536 + (b - base);
        if (seen.has(key)) continue;
        seen.add(key);
        up[a].push(b);
        down[b].push(a);
      }
    }
    prev = labels;
  }
  firstNode.push(nodes.length);
  return { grid, nodes, firstNode, down, up };
}
