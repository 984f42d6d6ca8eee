/**
 * 3-D lesion instances, in the spirit of the seeds' Mask R-CNN instances but across slices: the per-slice
 * lesion masks' 2-D components (8-connected) are joined when they overlap on neighbouring analysed slices.
 * Slices are added in series order, one at a time, so only the previous slice's labels are kept.
 */
import { connectedComponents } from '../postprocess/connectedComponents.ts';
import { LEFT_LUNG } from './lungSides.ts';

export interface LesionInstance {
  /** 1-based, by volume (largest first). */
  id: number;
  volumeMl: number | null;
  /** Shares of the lesion's voxels labelled GGO / consolidation (0..1, sum 1). */
  ggoShare: number;
  consolidationShare: number;
  /** Series slice indices (0-based, as SliceRecord.index). */
  firstSlice: number;
  lastSlice: number;
  largestSlice: number;
  largestAreaMm2: number | null;
  side: 'left' | 'right';
}

interface Piece {
  slice: number;
  area: number;
  consolidation: number;
  left: number;
  right: number;
}

export class LesionTracker {
  private readonly pieces: Piece[] = [];
  private parent: number[] = [];
  private prev: { slice: number; labels: Int32Array; base: number } | null = null;

  constructor(private readonly width: number, private readonly height: number) {}

  /** One analysed slice (series index `slice`, ascending): lesion and consolidation masks, the lung side of a pixel. */
  add(slice: number, lesion: Uint8Array, consolidation: Uint8Array, sideOf: (pixel: number) => number): void {
    if (this.prev && slice <= this.prev.slice) throw new Error(`LesionTracker: slice ${slice} after ${this.prev.slice}`);
    const { labels, components } = connectedComponents(lesion, this.width, this.height);
    const base = this.pieces.length;
    for (const c of components) {
      this.pieces.push({ slice, area: c.area, consolidation: 0, left: 0, right: 0 });
      this.parent.push(base + c.label - 1);
    }
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (!l) continue;
      const p = this.pieces[base + l - 1];
      if (consolidation[i]) p.consolidation++;
      if (sideOf(i) === LEFT_LUNG) p.left++;
      else p.right++;
      if (this.prev && this.prev.labels[i]) this.union(base + l - 1, this.prev.base + this.prev.labels[i] - 1);
    }
    this.prev = components.length > 0 ? { slice, labels, base } : { slice, labels: new Int32Array(0), base };
  }

  /** Instances, largest first. `weightsMm` by series slice index; volumes null without pixel area. */
  instances(pixelAreaMm2: number | null, weightsMm: ReadonlyMap<number, number> | null): LesionInstance[] {
    const groups = new Map<number, Piece[]>();
    this.pieces.forEach((p, i) => {
      const r = this.find(i);
      let g = groups.get(r);
      if (!g) groups.set(r, (g = []));
      g.push(p);
    });
    const known = pixelAreaMm2 !== null && weightsMm !== null;
    const out = [...groups.values()].map((ps) => {
      let weighted = 0, cons = 0, left = 0, right = 0;
      let largest = ps[0];
      for (const p of ps) {
        const w = known ? weightsMm.get(p.slice) ?? 0 : 1;
        weighted += p.area * w;
        cons += p.consolidation * w;
        left += p.left * w;
        right += p.right * w;
        if (p.area > largest.area) largest = p;
      }
      const consolidationShare = weighted > 0 ? cons / weighted : 0;
      return {
        id: 0,
        volumeMl: known ? (weighted * pixelAreaMm2) / 1000 : null,
        ggoShare: 1 - consolidationShare,
        consolidationShare,
        firstSlice: Math.min(...ps.map((p) => p.slice)),
        lastSlice: Math.max(...ps.map((p) => p.slice)),
        largestSlice: largest.slice,
        largestAreaMm2: pixelAreaMm2 === null ? null : largest.area * pixelAreaMm2,
        side: left > right ? 'left' as const : 'right' as const,
        order: weighted,
      };
    });
    out.sort((a, b) => b.order - a.order || a.firstSlice - b.firstSlice);
    return out.map(({ order: _order, ...l }, i) => ({ ...l, id: i + 1 }));
  }

  private find(i: number): number {
    while (this.parent[i] !== i) i = this.parent[i] = this.parent[this.parent[i]];
    return i;
  }

  private union(a: number, b: number): void {
    this.parent[this.find(a)] = this.find(b);
  }
}
