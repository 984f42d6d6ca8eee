/**
 * One slice's full-resolution lung mask and model crop, derived from the whole-series segmentation: the
 * slice's own air inside the body (HU < -320, not connected to the image border), kept where the coarse 3-D
 * result says lung (grown by one grid cell so edges are not lost), per lung: fill holes (vessels), close
 * (~5 mm: vessels and nodules at the lung's edge), fill again. Left and right are closed apart so the
 * mediastinum between them is never bridged and filled.
 *
 * The crop is the slice's lung box + 6 % margin (as the 2-D finder and the training crops), but never smaller
 * than 60 % of the series' lung box in either direction: a small section of lung keeps the scale of a
 * chest-wide crop instead of being blown up to the model's input size.
 */
import { borderConnected, close, dilate, fillHoles } from '../analyses/ct/binaryMorphology.ts';
import type { LungRegion } from '../analyses/ct/lungCrop.ts';
import type { Rect } from '../imageOps/raster.ts';
import { AIR_HU } from './airSlice.ts';
import type { AirGrid } from './airSlice.ts';
import type { NotAssessedReason, SliceAssessment } from './sliceAssessment.ts';
import { DEFAULT_PIXEL_MM, LEFT_LUNG, RIGHT_LUNG, type StudyLungs } from './studyLungs.ts';

const CLOSING_MM = 5;
const CROP_MARGIN = 0.06;
const MIN_CROP_SHARE = 0.6;

/** A LungRegion (what the CT slice analyses take) plus the lung sides and the slice's assessment. */
export interface SliceLungRegion extends LungRegion {
  /** Per pixel: 0, RIGHT_LUNG or LEFT_LUNG. */
  sides: Uint8Array;
  rightAreaPx: number;
  leftAreaPx: number;
  assessed: boolean;
  reason?: NotAssessedReason;
}

/**
 * What one slice needs of the series' segmentation to build its lung mask: small (one grid slice, ~64 KB)
 * and structured-cloneable, so the app sends it to the inference worker with the slice.
 */
export interface StudySliceContext {
  kind: 'ct-study-slice';
  grid: AirGrid;
  columns: number;
  rows: number;
  pixelSpacingMm?: [number, number];
  /** This slice's grid side map (0, RIGHT_LUNG, LEFT_LUNG). */
  sides: Uint8Array;
  assessment: SliceAssessment;
  lungBox: Rect | null;
  midlineX: number;
  leftAtHighX: boolean;
}

export function studySliceContext(lungs: StudyLungs, index: number): StudySliceContext {
  const g = lungs.geometry;
  return {
    kind: 'ct-study-slice', grid: lungs.grid, columns: g.columns, rows: g.rows, pixelSpacingMm: g.pixelSpacingMm,
    sides: lungs.sides[index], assessment: lungs.assessment[index], lungBox: lungs.lungBox,
    midlineX: lungs.midlineX, leftAtHighX: g.leftAtHighX,
  };
}

/** Side of pixel `i` (row-major, `columns` wide): the grid's side map, else the side of the midline. */
export function sideAt(ctx: StudySliceContext, i: number): typeof LEFT_LUNG | typeof RIGHT_LUNG {
  const x = i % ctx.columns, y = (i - x) / ctx.columns;
  const s = ctx.sides[((y / ctx.grid.factor) | 0) * ctx.grid.width + ((x / ctx.grid.factor) | 0)];
  if (s) return s === LEFT_LUNG ? LEFT_LUNG : RIGHT_LUNG;
  return (x >= ctx.midlineX) === ctx.leftAtHighX ? LEFT_LUNG : RIGHT_LUNG;
}

/** One slice's lung region from its context and its HU at full size. */
export function sliceLungRegion(ctx: StudySliceContext, hu: ArrayLike<number>): SliceLungRegion {
  const { columns: w, rows: h, grid } = ctx;
  if (hu.length < w * h) throw new Error(`CT slice: ${hu.length} values for ${w}x${h}`);
  const gridSides = growSides(ctx.sides, grid.width, grid.height);
  const air = new Uint8Array(w * h);
  for (let i = 0; i < air.length; i++) air[i] = hu[i] < AIR_HU ? 1 : 0;
  const outside = borderConnected(air, w, h);
  const right = new Uint8Array(w * h), left = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const gy = ((y / grid.factor) | 0) * grid.width;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!air[i] || outside[i]) continue;
      const s = gridSides[gy + ((x / grid.factor) | 0)];
      if (s === RIGHT_LUNG) right[i] = 1;
      else if (s === LEFT_LUNG) left[i] = 1;
    }
  }
  const spacing = ctx.pixelSpacingMm;
  const r = Math.max(1, Math.round(CLOSING_MM / (spacing ? Math.min(spacing[0], spacing[1]) : DEFAULT_PIXEL_MM)));
  const smooth = (m: Uint8Array): Uint8Array => onBoundingBox(m, w, h, r + 2, (c, cw, ch) => fillHoles(close(fillHoles(c, cw, ch), cw, ch, r), cw, ch));
  const rs = smooth(right), ls = smooth(left);
  const sides = new Uint8Array(w * h);
  const mask = new Uint8Array(w * h);
  let rightAreaPx = 0, leftAreaPx = 0;
  for (let i = 0; i < sides.length; i++) {
    // Where the two closed lungs overlap, the pixel goes to the lung it was air of (else right).
    const s = rs[i] && (!ls[i] || right[i] || !left[i]) ? RIGHT_LUNG : ls[i] ? LEFT_LUNG : 0;
    if (!s) continue;
    sides[i] = s;
    mask[i] = 1;
    if (s === RIGHT_LUNG) rightAreaPx++;
    else leftAreaPx++;
  }
  const areaPx = rightAreaPx + leftAreaPx;
  const a = ctx.assessment;
  return {
    mask, width: w, height: h, sides, rightAreaPx, leftAreaPx, areaPx,
    found: areaPx > 0,
    box: areaPx > 0 ? cropBox(mask, w, h, ctx.lungBox) : { x: 0, y: 0, w, h },
    assessed: a.assessed && areaPx > 0,
    reason: a.assessed && areaPx === 0 ? 'no-lung' : a.reason,
  };
}

/**
 * Runs `op` on the mask's bounding box grown by `pad` (clamped to the image) and pastes the result back:
 * the same result as on the whole image when `op` reaches at most `pad` - 1 pixels beyond the mask, at a
 * fraction of the cost (one lung fills a fifth of a slice).
 */
function onBoundingBox(m: Uint8Array, w: number, h: number, pad: number, op: (crop: Uint8Array, cw: number, ch: number) => Uint8Array): Uint8Array {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let i = 0; i < m.length; i++) {
    if (!m[i]) continue;
    const x = i % w, y = (i - x) / w;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (x1 < 0) return m;
  x0 = Math.max(0, x0 - pad); y0 = Math.max(0, y0 - pad);
  x1 = Math.min(w - 1, x1 + pad); y1 = Math.min(h - 1, y1 + pad);
  const cw = x1 - x0 + 1, ch = y1 - y0 + 1;
  const crop = new Uint8Array(cw * ch);
  for (let y = 0; y < ch; y++) crop.set(m.subarray((y + y0) * w + x0, (y + y0) * w + x0 + cw), y * cw);
  const done = op(crop, cw, ch);
  const out = new Uint8Array(m.length);
  for (let y = 0; y < ch; y++) out.set(done.subarray(y * cw, (y + 1) * cw), (y + y0) * w + x0);
  return out;
}

/** The grid's side map grown by one cell into empty cells (edges of the lung fall in partly-air cells). */
function growSides(sides: Uint8Array, gw: number, gh: number): Uint8Array {
  const out = sides.slice();
  for (const s of [RIGHT_LUNG, LEFT_LUNG]) {
    const m = new Uint8Array(sides.length);
    for (let i = 0; i < m.length; i++) m[i] = sides[i] === s ? 1 : 0;
    const grown = dilate(m, gw, gh, 1);
    for (let i = 0; i < m.length; i++) if (grown[i] && !out[i]) out[i] = s;
  }
  return out;
}

function cropBox(mask: Uint8Array, w: number, h: number, seriesBox: Rect | null): Rect {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  const m = Math.round(CROP_MARGIN * Math.max(x1 - x0 + 1, y1 - y0 + 1));
  const span = (lo: number, hi: number, min: number, size: number): [number, number] => {
    let a = lo - m, b = hi + m;
    const need = Math.round(min) - (b - a + 1);
    if (need > 0) {
      a -= Math.floor(need / 2);
      b += Math.ceil(need / 2);
    }
    // shift back inside the image before clamping, so the crop keeps its size where it can
    if (a < 0) { b -= a; a = 0; }
    if (b > size - 1) { a -= b - (size - 1); b = size - 1; }
    return [Math.max(0, a), Math.min(size - 1, b)];
  };
  const [bx0, bx1] = span(x0, x1, MIN_CROP_SHARE * (seriesBox?.w ?? 0), w);
  const [by0, by1] = span(y0, y1, MIN_CROP_SHARE * (seriesBox?.h ?? 0), h);
  return { x: bx0, y: by0, w: bx1 - bx0 + 1, h: by1 - by0 + 1 };
}
