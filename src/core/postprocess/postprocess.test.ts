import { describe, expect, it } from 'vitest';
import { sigmoid, softmax, softmaxExpectation } from './activations.ts';
import { maskArea, maskAreaMm2, probabilitiesToMask, resizeMaskNearest, threshold, toSourceGrid } from './maskOps.ts';
import { connectedComponents } from './connectedComponents.ts';
import { iou, type Box } from './box.ts';
import { nms } from './nms.ts';
import { weightedBoxFusion } from './weightedBoxFusion.ts';
import { letterbox } from '../imageOps/letterbox.ts';
import { rasterFrom } from '../imageOps/raster.ts';
import type { Placement } from '../imageOps/placement.ts';

describe('activations', () => {
  it('sigmoid', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(Math.log(3))).toBeCloseTo(0.75, 12);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
  });
  it('softmax over the last axis and over axis 0', () => {
    const p = softmax([0, Math.log(3), 1000, 1000], [2, 2], 1);
    [0.25, 0.75, 0.5, 0.5].forEach((v, i) => expect(p[i]).toBeCloseTo(v, 6));
    const q = softmax([0, 0, Math.log(3), 0], [2, 2], 0); // columns: [0, ln3], [0, 0]
    [0.25, 0.5, 0.75, 0.5].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 6));
  });
  it('softmax expectation over bins', () => {
    // p = [0.25, 0.75] → E = 0.75
    expect(softmaxExpectation([0, Math.log(3)])).toBeCloseTo(0.75, 6);
    // one dominant bin of 101 → its index
    const l = new Array(101).fill(0); l[37] = 50;
    expect(softmaxExpectation(l)).toBeCloseTo(37, 4);
    // uniform over 0..100 → 50
    expect(softmaxExpectation(new Array(101).fill(1))).toBeCloseTo(50, 4);
    expect(softmaxExpectation([0, 0], [10, 20])).toBeCloseTo(15, 6);
  });
});

describe('maskOps', () => {
  it('threshold is strict, area counts', () => {
    const m = threshold([0.2, 0.5, 0.51, 0.9], 0.5);
    expect(Array.from(m)).toEqual([0, 0, 1, 1]);
    expect(maskArea(m)).toBe(2);
    expect(maskAreaMm2(m, [0.5, 0.7])).toBeCloseTo(0.7, 12);
  });
  it('toSourceGrid undoes a crop: values land inside the crop box only', () => {
    // source 6x4, crop (2,1) 2x2 was resized to a 4x4 input; input all 1 → crop region 1, else 0
    const p: Placement = { sourceWidth: 6, sourceHeight: 4, inputWidth: 4, inputHeight: 4,
      from: { x: 2, y: 1, w: 2, h: 2 }, to: { x: 0, y: 0, w: 4, h: 4 } };
    const s = toSourceGrid(new Float32Array(16).fill(1), p);
    expect(Array.from(s)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
  it('toSourceGrid undoes a letterbox: padding is dropped, content maps back 1:1', () => {
    const src = rasterFrom([1, 2, 3, 4, 5, 6, 7, 8], 4, 2);
    const { raster, placement } = letterbox(src, 4, 4);
    expect(Array.from(toSourceGrid(raster.data, placement))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
  it('probabilitiesToMask upsamples 2x then thresholds', () => {
    // input 2x1 [0, 1] → source 4x1 → [0, .25, .75, 1] → mask [0,0,1,1]
    const p: Placement = { sourceWidth: 4, sourceHeight: 1, inputWidth: 2, inputHeight: 1,
      from: { x: 0, y: 0, w: 4, h: 1 }, to: { x: 0, y: 0, w: 2, h: 1 } };
    const m = probabilitiesToMask(new Float32Array([0, 1]), p);
    expect(m).toEqual({ rows: 1, columns: 4, data: new Uint8Array([0, 0, 1, 1]) });
  });
  it('resizeMaskNearest', () => {
    expect(Array.from(resizeMaskNearest([1, 0, 0, 1], 2, 2, 4, 2))).toEqual([1, 1, 0, 0, 0, 0, 1, 1]);
  });
});

describe('connectedComponents (8-connectivity)', () => {
  it('diagonal neighbours join, separate blobs get separate labels with area and bbox', () => {
    const mask = [
      1, 0, 0, 0, 1,
      0, 1, 0, 0, 1,
      0, 0, 0, 0, 0,
      1, 1, 0, 1, 0,
    ];
    const { labels, components } = connectedComponents(mask, 5, 4);
    expect(components).toEqual([
      { label: 1, area: 2, bbox: { x: 0, y: 0, w: 2, h: 2 } },
      { label: 2, area: 2, bbox: { x: 4, y: 0, w: 1, h: 2 } },
      { label: 3, area: 2, bbox: { x: 0, y: 3, w: 2, h: 1 } },
      { label: 4, area: 1, bbox: { x: 3, y: 3, w: 1, h: 1 } },
    ]);
    expect(Array.from(labels)).toEqual([1, 0, 0, 0, 2, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 3, 3, 0, 4, 0]);
  });
  it('handles a large blob without recursion', () => {
    const n = 500;
    const { components } = connectedComponents(new Uint8Array(n * n).fill(1), n, n);
    expect(components).toHaveLength(1);
    expect(components[0].area).toBe(n * n);
  });
});

describe('nms', () => {
  const a: Box = { x: 0, y: 0, w: 10, h: 10, score: 0.9, label: 'opacity' };
  const b: Box = { x: 1, y: 0, w: 10, h: 10, score: 0.8, label: 'opacity' }; // IoU 90/110 = 0.818
  const c: Box = { x: 20, y: 20, w: 5, h: 5, score: 0.85, label: 'opacity' };
  it('iou', () => {
    expect(iou(a, b)).toBeCloseTo(90 / 110, 12);
    expect(iou(a, c)).toBe(0);
  });
  it('suppresses overlapping lower scores, keeps distant ones, sorted by score', () => {
    expect(nms([b, c, a], { iouThreshold: 0.5 })).toEqual([a, c]);
    expect(nms([b, c, a], { iouThreshold: 0.9 })).toEqual([a, c, b]);
  });
  it('per label by default; score threshold; max boxes', () => {
    const bOther = { ...b, label: 'other' };
    expect(nms([a, bOther], { iouThreshold: 0.5 })).toEqual([a, bOther]);
    expect(nms([a, bOther], { iouThreshold: 0.5, perLabel: false })).toEqual([a]);
    expect(nms([a, b, c], { iouThreshold: 0.5, scoreThreshold: 0.86 })).toEqual([a]);
    expect(nms([a, c], { iouThreshold: 0.5, maxBoxes: 1 })).toEqual([a]);
  });
});

describe('weightedBoxFusion (seed 002)', () => {
  it('fuses two models\' overlapping boxes: weighted corners, mean score, min(T,M)/M = 1', () => {
    const m1: Box[] = [{ x: 0, y: 0, w: 10, h: 10, score: 0.9, label: 0 }];
    const m2: Box[] = [{ x: 2, y: 0, w: 10, h: 10, score: 0.6, label: 0 }]; // IoU 80/120 = 0.667 > 0.55
    const [f, ...rest] = weightedBoxFusion([m1, m2]);
    expect(rest).toHaveLength(0);
    // x1 = (0.9*0 + 0.6*2)/1.5 = 0.8; x2 = (0.9*10 + 0.6*12)/1.5 = 10.8
    expect(f.x).toBeCloseTo(0.8, 12);
    expect(f.w).toBeCloseTo(10, 12);
    expect(f.y).toBeCloseTo(0, 12);
    expect(f.h).toBeCloseTo(10, 12);
    expect(f.score).toBeCloseTo(0.75, 12); // (0.9+0.6)/2 * min(2,2)/2
    expect(f.label).toBe(0);
  });
  it('a box only one of two models found is down-weighted by min(1,2)/2', () => {
    const out = weightedBoxFusion([[{ x: 0, y: 0, w: 10, h: 10, score: 0.8 }], []]);
    expect(out).toHaveLength(1);
    expect(out[0].score).toBeCloseTo(0.4, 12);
  });
  it('IoU exactly at/below 0.55 does not cluster; labels never mix', () => {
    // IoU = 0.5 (x shift 10/3 on w=10: inter 6.667, union 13.333)
    const m1: Box[] = [{ x: 0, y: 0, w: 10, h: 10, score: 0.9, label: 'a' }];
    const m2: Box[] = [{ x: 10 / 3, y: 0, w: 10, h: 10, score: 0.7, label: 'a' }];
    expect(weightedBoxFusion([m1, m2], { nmsIouThreshold: null })).toHaveLength(2);
    const m3: Box[] = [{ x: 0, y: 0, w: 10, h: 10, score: 0.7, label: 'b' }];
    const out = weightedBoxFusion([m1, m3], { nmsIouThreshold: null });
    expect(out.map((b) => [b.label, b.score])).toEqual([['a', 0.45], ['b', 0.35]]);
  });
  it('three boxes from two models: T=3 is capped at M=2; matching is against the fused box', () => {
    const m1: Box[] = [
      { x: 0, y: 0, w: 10, h: 10, score: 0.8 },
      { x: 1, y: 0, w: 10, h: 10, score: 0.4 },
    ];
    const m2: Box[] = [{ x: 0, y: 1, w: 10, h: 10, score: 0.6 }];
    const [f] = weightedBoxFusion([m1, m2]);
    // mean score 0.6, × min(3,2)/2 = 1
    expect(f.score).toBeCloseTo(0.6, 12);
    expect(f.x).toBeCloseTo(0.4 / 1.8, 12);
    expect(f.y).toBeCloseTo(0.6 / 1.8, 12);
  });
  it('per-model weights scale scores and the divisor is sum(weights)', () => {
    const m1: Box[] = [{ x: 0, y: 0, w: 10, h: 10, score: 0.9 }];
    const m2: Box[] = [{ x: 2, y: 0, w: 10, h: 10, score: 0.6 }];
    const [f] = weightedBoxFusion([m1, m2], { weights: [2, 1] });
    // weighted scores 1.8, 0.6; x1 = 0.6*2/2.4 = 0.5; score = 1.2 * 2 / 3 = 0.8
    expect(f.x).toBeCloseTo(0.5, 12);
    expect(f.score).toBeCloseTo(0.8, 12);
  });
  it('final NMS removes fused boxes that still overlap', () => {
    // Two clusters whose fused boxes overlap with IoU 0.5 (not clustered) → NMS at 0.45 keeps one
    const m1: Box[] = [{ x: 0, y: 0, w: 10, h: 10, score: 0.9 }, { x: 10 / 3, y: 0, w: 10, h: 10, score: 0.5 }];
    expect(weightedBoxFusion([m1], { nmsIouThreshold: 0.45 })).toHaveLength(1);
    expect(weightedBoxFusion([m1], { nmsIouThreshold: 0.55 })).toHaveLength(2);
  });
});
