/**
 * Finds the lungs on one axial CT slice and the box the CT models see.
 *
 * DICOM (Hounsfield units): air = HU < -320; drop air 4-connected to the image border (outside the body);
 * keep the largest air component and every other one >= 2 % of it. (Plain "two largest" fails on diseased
 * lungs: GGO/consolidation splits a lung's aerated part into pieces -- seen on the SBU COVID slices. The
 * price: the trachea / main bronchi and large bowel gas can be kept.) Fill holes (vessels), close with an
 * ~8 mm square, fill again. Dense consolidation touching the pleura stays outside this mask; the lesion
 * analysis adds lesion components that touch the lung back to it.
 * The crop is the mask's bounding box plus a margin, like the lung-cropped training images.
 *
 * PNG/JPEG (already a windowed lung crop, 8-bit): the crop is the whole image and the lung mask is a
 * threshold of the whole image at the grey level of -320 HU under the training window, then the same
 * component / hole / closing steps -- without the border-air step, since a tight crop touches the lungs.
 */
import type { Rect } from '../../imageOps/raster.ts';
import { connectedComponents } from '../../postprocess/connectedComponents.ts';
import { borderConnected, close, fillHoles } from './binaryMorphology.ts';

export interface LungRegion {
  /** 0/1 lung mask at the slice's size (rows x columns, row-major). */
  mask: Uint8Array;
  width: number;
  height: number;
  /** Crop rectangle in pixels (inside the image). The whole image when no lung was found. */
  box: Rect;
  /** False when no lung-like air region was found (box = whole image, mask empty). */
  found: boolean;
  areaPx: number;
}

export interface LungFinderOptions {
  thresholdHu: number;
  /** Further components kept when their area is at least this fraction of the largest. */
  componentRatio: number;
  /** Components smaller than this fraction of the image are never lungs. */
  minAreaFraction: number;
  closingMm: number;
  /** Pixel spacing assumed when the file has none. */
  defaultSpacingMm: number;
  /** Box margin as a fraction of the larger box side. */
  marginFraction: number;
}

const LUNG_FINDER_DEFAULTS: LungFinderOptions = {
  thresholdHu: -320,
  componentRatio: 0.02,
  minAreaFraction: 0.002,
  closingMm: 8,
  defaultSpacingMm: 0.7,
  marginFraction: 0.06,
};

/** Lung region of a CT slice given in HU (`hu` row-major, one value per pixel). */
export function findLungsHu(
  hu: ArrayLike<number>,
  width: number,
  height: number,
  pixelSpacingMm?: readonly [number, number],
  options: Partial<LungFinderOptions> = {},
): LungRegion {
  const o = { ...LUNG_FINDER_DEFAULTS, ...options };
  const air = new Uint8Array(width * height);
  for (let i = 0; i < air.length; i++) air[i] = hu[i] < o.thresholdHu ? 1 : 0;
  const outside = borderConnected(air, width, height);
  for (let i = 0; i < air.length; i++) if (outside[i]) air[i] = 0;
  return regionFromCandidates(air, width, height, closingRadiusPx(o, pixelSpacingMm), o, true);
}

/** Lung region of an already windowed, lung-cropped 8-bit slice: dark pixels (< threshold8) form the lungs. */
export function findLungsGray8(
  gray: ArrayLike<number>,
  width: number,
  height: number,
  threshold8: number,
  options: Partial<LungFinderOptions> = {},
): LungRegion {
  const o = { ...LUNG_FINDER_DEFAULTS, ...options };
  const dark = new Uint8Array(width * height);
  for (let i = 0; i < dark.length; i++) dark[i] = gray[i] < threshold8 ? 1 : 0;
  // closing radius relative to the crop: training crops are ~224-512 px across ~300 mm of chest
  const region = regionFromCandidates(dark, width, height, Math.max(1, Math.round(Math.max(width, height) / 100)), o, false);
  return { ...region, box: { x: 0, y: 0, w: width, h: height } };
}

/** 8-bit grey level of `hu` under a training window (same formula as imageOps/window.ts). */
export function huToGray8(hu: number, lo: number, hi: number): number {
  const t = (hu - lo) / (hi - lo);
  return Math.round((t <= 0 ? 0 : t >= 1 ? 1 : t) * 255);
}

function closingRadiusPx(o: LungFinderOptions, spacing?: readonly [number, number]): number {
  const mm = spacing ? Math.min(spacing[0], spacing[1]) : o.defaultSpacingMm;
  return Math.max(1, Math.round(o.closingMm / (mm > 0 ? mm : o.defaultSpacingMm)));
}

function regionFromCandidates(
  candidates: Uint8Array,
  width: number,
  height: number,
  closingPx: number,
  o: LungFinderOptions,
  withMargin: boolean,
): LungRegion {
  const { labels, components } = connectedComponents(candidates, width, height);
  const minArea = o.minAreaFraction * width * height;
  const ranked = components.filter((c) => c.area >= minArea).sort((a, b) => b.area - a.area);
  const keep = ranked.filter((c, i) => i === 0 || c.area >= o.componentRatio * ranked[0].area);
  if (keep.length === 0) {
    return { mask: new Uint8Array(width * height), width, height, box: { x: 0, y: 0, w: width, h: height }, found: false, areaPx: 0 };
  }
  const wanted = new Set(keep.map((c) => c.label));
  let mask: Uint8Array = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) if (wanted.has(labels[i])) mask[i] = 1;
  mask = fillHoles(close(fillHoles(mask, width, height), width, height, closingPx), width, height);
  let x0 = width, y0 = height, x1 = -1, y1 = -1, area = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      area++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  const m = withMargin ? Math.round(o.marginFraction * Math.max(x1 - x0 + 1, y1 - y0 + 1)) : 0;
  const bx0 = Math.max(0, x0 - m), by0 = Math.max(0, y0 - m);
  const bx1 = Math.min(width - 1, x1 + m), by1 = Math.min(height - 1, y1 + m);
  return { mask, width, height, box: { x: bx0, y: by0, w: bx1 - bx0 + 1, h: by1 - by0 + 1 }, found: true, areaPx: area };
}
