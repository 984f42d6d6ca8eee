import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nms } from '../../postprocess/nms.ts';
import type { Box } from '../../postprocess/box.ts';
import { weightedBoxFusion } from '../../postprocess/weightedBoxFusion.ts';
import { decodeYoloGrid } from './yoloGridDecode.ts';
import { decodeCenterNet } from './centerNetDecode.ts';
import { findModel, parseManifest } from '../../runtime/manifest.ts';
import { extraNumber } from '../../runtime/modelFacts.ts';

// Written by training/cxr/make_post_fixture.py from training/cxr/det_post.py: the NumPy decode/NMS/WBF
// that computes the cards' mAP (incl. the ensemble's) must give the same boxes as the app's TS path.
interface Fixture {
  input: number; scoreMin: number; nmsIou: number; maxDet: number; wbfIou: number;
  heads: { yolo: number[]; centernet: number[]; A: number[][]; B: number[][]; ensemble: number[][] }[];
  wbf: { sets: number[][][]; fused: number[][] }[];
}
const fx = JSON.parse(readFileSync(new URL('./__fixtures__/cxr-postprocess.python.json', import.meta.url), 'utf8')) as Fixture;

// The detectors' constants as the app reads them: from their manifest entries.
const manifest = parseManifest(JSON.parse(readFileSync(new URL('../../../../models/manifest.json', import.meta.url), 'utf8')));
const yolo = findModel(manifest, 'cxr-detector-yolo');
const centerNet = findModel(manifest, 'cxr-detector-centernet');
const CXR_DETECTION = {
  yoloStride: extraNumber(yolo, 'stride'),
  centerNetStride: extraNumber(centerNet, 'stride'),
  scoreMin: extraNumber(yolo, 'scoreMin'),
  nmsIou: extraNumber(yolo, 'nmsIou'),
  maxDetections: extraNumber(yolo, 'maxDetections'),
  wbfIou: extraNumber(yolo, 'wbfIou'),
};

const toBoxes = (rows: number[][]): Box[] => rows.map(([x, y, w, h, score]) => ({ x, y, w, h, score }));

// float32 (NumPy) vs float64 (JS) arithmetic: coordinates agree to ~1e-5 px, scores to ~1e-7.
function expectSameBoxes(got: Box[], want: number[][]): void {
  expect(got.length).toBe(want.length);
  got.forEach((b, i) => {
    const [x, y, w, h, s] = want[i];
    expect(b.x).toBeCloseTo(x, 3);
    expect(b.y).toBeCloseTo(y, 3);
    expect(b.w).toBeCloseTo(w, 3);
    expect(b.h).toBeCloseTo(h, 3);
    expect(b.score).toBeCloseTo(s, 5);
  });
}

describe('CXR detection post-processing: TS == training/cxr/det_post.py', () => {
  it('uses the constants of both detectors\' manifest entries', () => {
    for (const e of [yolo, centerNet]) {
      for (const k of ['scoreMin', 'nmsIou', 'maxDetections', 'wbfIou']) expect(extraNumber(e, k)).toBe(extraNumber(yolo, k));
    }
    expect(fx.scoreMin).toBe(CXR_DETECTION.scoreMin);
    expect(fx.nmsIou).toBe(CXR_DETECTION.nmsIou);
    expect(fx.maxDet).toBe(CXR_DETECTION.maxDetections);
    expect(fx.wbfIou).toBe(CXR_DETECTION.wbfIou);
  });

  it('decodes + NMS detector A (YOLO grid) and B (CenterNet peaks), and fuses them', () => {
    const d = CXR_DETECTION;
    for (const c of fx.heads) {
      const a = nms(decodeYoloGrid({ data: Float32Array.from(c.yolo), dims: [1, 5, 8, 8] }, d.yoloStride, fx.input, d.scoreMin),
        { iouThreshold: d.nmsIou, maxBoxes: d.maxDetections });
      const b = nms(decodeCenterNet({ data: Float32Array.from(c.centernet), dims: [1, 5, 32, 32] }, d.centerNetStride, fx.input, d.scoreMin),
        { iouThreshold: d.nmsIou, maxBoxes: d.maxDetections });
      expectSameBoxes(a, c.A);
      expectSameBoxes(b, c.B);
      expectSameBoxes(weightedBoxFusion([a, b], { iouThreshold: d.wbfIou }), c.ensemble);
    }
  });

  it('weightedBoxFusion matches the Python port on overlapping random sets', () => {
    for (const c of fx.wbf) {
      expectSameBoxes(weightedBoxFusion(c.sets.map(toBoxes), { iouThreshold: CXR_DETECTION.wbfIou }), c.fused);
    }
  });
});
