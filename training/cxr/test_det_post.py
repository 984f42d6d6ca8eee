"""Hand-computed checks of the mAP / WBF / decode code behind the detector cards.
Run: /usr/bin/python3 -m unittest training/cxr/test_det_post.py (from the repo root)."""
from __future__ import annotations

import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import det_post as D  # noqa: E402


def b(*rows):
    return np.asarray(rows, dtype=np.float64).reshape(-1, 5)


def g(*rows):
    return np.asarray(rows, dtype=np.float64).reshape(-1, 4)


class AveragePrecision(unittest.TestCase):
    def test_perfect(self):
        self.assertAlmostEqual(D.average_precision([b([0, 0, 10, 10, 0.9])], [g([0, 0, 10, 10])]), 1.0)

    def test_false_positive_ranked_first_halves_precision(self):
        # FP (0.9) then TP (0.8): precision at recall 1 is 1/2
        dets = [b([50, 50, 10, 10, 0.9], [0, 0, 10, 10, 0.8])]
        self.assertAlmostEqual(D.average_precision(dets, [g([0, 0, 10, 10])]), 0.5)

    def test_missed_box_caps_recall(self):
        dets = [b([0, 0, 10, 10, 0.9]), b()]
        self.assertAlmostEqual(D.average_precision(dets, [g([0, 0, 10, 10]), g([0, 0, 10, 10])]), 0.5)

    def test_duplicate_is_false_positive_but_after_full_recall(self):
        dets = [b([0, 0, 10, 10, 0.9], [0, 0, 10, 11, 0.8])]
        self.assertAlmostEqual(D.average_precision(dets, [g([0, 0, 10, 10])]), 1.0)
        dets = [b([0, 0, 10, 11, 0.9], [0, 0, 10, 10, 0.8], [30, 30, 10, 10, 0.7])]
        # two GTs: TP, FP(duplicate), TP -> recall .5 @ p 1, recall 1 @ p 2/3
        self.assertAlmostEqual(D.average_precision(dets, [g([0, 0, 10, 10], [30, 30, 10, 10])]), 0.5 + 0.5 * 2 / 3)

    def test_iou_threshold_is_inclusive(self):
        # det [0,0,10,10] vs gt [0,0,20,10]: IoU = 100/200 = 0.5 exactly
        self.assertAlmostEqual(D.average_precision([b([0, 0, 10, 10, 0.9])], [g([0, 0, 20, 10])]), 1.0)
        self.assertAlmostEqual(D.average_precision([b([0, 0, 10, 10, 0.9])], [g([0, 0, 21, 10])]), 0.0)

    def test_negative_images_only_add_false_positives(self):
        dets = [b([0, 0, 10, 10, 0.5]), b([0, 0, 10, 10, 0.9])]
        self.assertAlmostEqual(D.average_precision(dets, [g([0, 0, 10, 10]), g()]), 0.5)


class Wbf(unittest.TestCase):
    def test_two_models_agree(self):
        out = D.wbf([b([0, 0, 10, 10, 0.9]), b([2, 0, 10, 10, 0.3])])  # IoU = 80/120 = 0.67 > 0.55
        self.assertEqual(len(out), 1)
        x1 = (0.9 * 0 + 0.3 * 2) / 1.2
        np.testing.assert_allclose(out[0], [x1, 0, 10, 10, 0.6], atol=1e-9)  # score = mean * min(2,2)/2

    def test_single_model_box_is_halved(self):
        out = D.wbf([b([0, 0, 10, 10, 0.8]), b([50, 50, 10, 10, 0.4])])
        np.testing.assert_allclose(out[:, 4], [0.4, 0.2])


    def test_weights_scale_scores_and_divide_by_their_sum(self):
        # weights 2:1: member scores 1.8 and 0.6, mean 1.2, times min(T, M) / sum(w) = 2 / 3 -> 0.8
        out = D.wbf([b([0, 0, 10, 10, 0.9]), b([0, 0, 10, 10, 0.6])], weights=(2.0, 1.0))
        np.testing.assert_allclose(out, b([0, 0, 10, 10, 0.8]))
        alone = D.wbf([b(), b([50, 50, 10, 10, 0.6])], weights=(2.0, 1.0))
        np.testing.assert_allclose(alone, b([50, 50, 10, 10, 0.2]))

    def test_no_nms_after_fusion_keeps_overlapping_clusters(self):
        # IoU of the two boxes is 0.6: under the cluster threshold 0.7 they stay apart; NMS 0.55 would drop one
        two = [b([0, 0, 10, 10, 0.9], [0, 0, 10, 6, 0.8]), b()]
        self.assertEqual(len(D.wbf(two, iou_thr=0.7, nms_iou=None)), 2)
        self.assertEqual(len(D.wbf(two, iou_thr=0.7, nms_iou=0.55)), 1)


class Decode(unittest.TestCase):
    def test_yolo_cell_maths(self):
        raw = np.full((5, 8, 8), -20.0, np.float32)
        raw[:, 2, 3] = [0, 0, 0, 0, 0]  # score .5, offsets .5 -> centre = (3 + 1 - .5) * 16 = 56
        out = D.decode_yolo(raw)
        np.testing.assert_allclose(out, [[56 - 32, 40 - 32, 64, 64, 0.5]], atol=1e-4)

    def test_centernet_peaks(self):
        raw = np.zeros((5, 32, 32), np.float32)
        raw[0] = -10
        raw[0, 4, 6] = 2.0
        raw[0, 4, 7] = 1.0  # neighbour of a higher peak: suppressed
        raw[1:, 4, 6] = [0.5, 0.25, 0.25, 0.5]
        out = D.decode_centernet(raw)
        self.assertEqual(len(out), 1)
        cx, cy, w, h = 6.5 * 4, 4.25 * 4, 32, 64
        np.testing.assert_allclose(out[0], [cx - w / 2, cy - h / 2, w, h, 1 / (1 + np.exp(-2))], atol=1e-4)


if __name__ == '__main__':
    unittest.main()
