"""Writes src/core/analyses/cxr/__fixtures__/cxr-postprocess.python.json: random detector heads and box
sets with the NumPy decode / NMS / WBF results, so cxrPostprocessParity.test.ts can check that the TS path
(the app's) and det_post.py (the ensemble mAP in the cards) compute the same boxes."""
from __future__ import annotations

import json
import os

import numpy as np

import det_post

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src', 'core', 'analyses', 'cxr',
                   '__fixtures__', 'cxr-postprocess.python.json')


def rows(b: np.ndarray) -> list[list[float]]:
    return [[float(v) for v in r] for r in b]


def main() -> None:
    rng = np.random.default_rng(7)
    cases = []
    for k in range(3):
        yolo = rng.normal(0, 1.5, (5, 8, 8)).astype(np.float32)
        yolo[0] -= 2.0
        cen = rng.normal(0, 1.0, (5, 32, 32)).astype(np.float32)
        cen[0] = cen[0] * 2 - 3
        cen[3:] = np.abs(cen[3:]) * 0.3
        yolo, cen = np.round(yolo, 3).astype(np.float32), np.round(cen, 3).astype(np.float32)
        a = det_post.nms(det_post.decode_yolo(yolo))
        b = det_post.nms(det_post.decode_centernet(cen))
        cases.append({'yolo': [round(float(v), 3) for v in yolo.ravel()], 'centernet': [round(float(v), 3) for v in cen.ravel()],
                      'A': rows(a), 'B': rows(b), 'ensemble': rows(det_post.wbf([a, b]))})
    # hand-made overlapping sets for WBF alone: clusters, singletons, a zero-width box
    wbf_cases = []
    for k in range(20):
        base = rng.uniform(0, 100, (3, 2))
        sets = []
        for mdl in range(2):
            n = int(rng.integers(0, 5))
            c = base[rng.integers(0, 3, n)] + rng.normal(0, 4, (n, 2))
            wh = rng.uniform(10, 40, (n, 2))
            s = rng.uniform(0.01, 1, n)
            sets.append(np.concatenate([c, wh, s[:, None]], 1))
        if k == 0:
            sets[0] = np.concatenate([sets[0], [[5, 5, 0, 10, 0.9]]])
        wbf_cases.append({'sets': [rows(s) for s in sets], 'fused': rows(det_post.wbf(sets))})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'generator': 'training/cxr/make_post_fixture.py', 'input': det_post.INPUT,
                   'scoreMin': det_post.SCORE_MIN, 'nmsIou': det_post.NMS_IOU, 'maxDet': det_post.MAX_DET,
                   'wbfIou': det_post.WBF_IOU, 'heads': cases, 'wbf': wbf_cases}, f)


if __name__ == '__main__':
    main()
