/**
 * Pass 1 of the whole-series lung segmentation, one slice at a time: HU -> a coarse grid (block means, at
 * most ~256 px across) holding, per cell, "air inside the body" and "pure gas". Only this grid is kept for
 * the 3-D steps (64 KB a 512² slice), so a 600-slice series fits in memory; the full-resolution mask is
 * derived again per slice when the models run (sliceLungRegion.ts).
 */
import { borderConnected } from '../analyses/ct/binaryMorphology.ts';

/** HU below this is air (lung parenchyma is ~ -850, soft tissue > -100). Same as the 2-D finder. */
export const AIR_HU = -320;
/** Block means below this are gas (bowel, trachea); aerated lung averages well above it. */
const GAS_HU = -950;
/** Largest side of the coarse grid. */
const GRID_TARGET = 256;

export const AIR = 1;
export const GAS = 2;

export interface AirGrid {
  /** Source pixels per grid cell along each axis. */
  factor: number;
  width: number;
  height: number;
}

export function airGridFor(columns: number, rows: number): AirGrid {
  const factor = Math.max(1, Math.ceil(Math.max(columns, rows) / GRID_TARGET));
  return { factor, width: Math.ceil(columns / factor), height: Math.ceil(rows / factor) };
}

export interface AirSlice {
  /** Per grid cell: AIR bit = air not connected to the image border (inside the body); GAS bit = mean < GAS_HU. */
  cells: Uint8Array;
  /** Grid column of the body's left-right centre (non-outside cells), NaN when the slice is empty. */
  bodyCenterX: number;
}

/** Coarse air grid of one slice given in HU (row-major, `columns` x `rows`). */
export function airSlice(hu: ArrayLike<number>, columns: number, rows: number, grid: AirGrid): AirSlice {
  const { factor: f, width: w, height: h } = grid;
  const sum = new Float64Array(w * h);
  const count = new Uint16Array(w * h);
  const max = new Float64Array(w * h).fill(-Infinity);
  for (let y = 0; y < rows; y++) {
    const gy = ((y / f) | 0) * w;
    for (let x = 0; x < columns; x++) {
      const c = gy + ((x / f) | 0);
      const v = hu[y * columns + x];
      sum[c] += v;
      count[c]++;
      if (v > max[c]) max[c] = v;
    }
  }
  const air = new Uint8Array(w * h);
  const gas = new Uint8Array(w * h);
  for (let c = 0; c < air.length; c++) {
    // A cell is air only when all its pixels are: a 1-pixel wall (trachea, pleura between touching lungs)
    // keeps the regions apart on the coarse grid as it does at full size.
    air[c] = max[c] < AIR_HU ? 1 : 0;
    gas[c] = sum[c] / count[c] < GAS_HU ? 1 : 0;
  }
  const outside = borderConnected(air, w, h);
  const cells = new Uint8Array(w * h);
  let x0 = w, x1 = -1;
  for (let c = 0; c < cells.length; c++) {
    if (outside[c]) continue;
    if (air[c]) cells[c] = AIR | (gas[c] ? GAS : 0);
    const x = c % w;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
  }
  return { cells, bodyCenterX: x1 >= x0 ? (x0 + x1) / 2 : Number.NaN };
}
