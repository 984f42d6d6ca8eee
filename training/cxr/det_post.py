"""Detector decoding, NMS, WBF and mAP@0.5 in NumPy: 1:1 mirrors of the TypeScript path
(src/core/analyses/cxr/{yoloGridDecode,centerNetDecode}.ts and src/core/postprocess/*), used for the
PyTorch-side numbers and, on the int8 ONNX outputs (onnxruntime-node), the shipped-model numbers of the cards.
Boxes are [x, y, w, h, score] rows in model-input pixels."""
from __future__ import annotations

import numpy as np

INPUT = 128
SCORE_MIN = 0.01     # candidates kept for mAP (full PR curve)
NMS_IOU = 0.4        # fixed a priori (not tuned on the hold-out)
MAX_DET = 20
WBF_IOU = 0.55


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def decode_yolo(raw: np.ndarray, stride: int = 16) -> np.ndarray:
    """raw (5, G, G) -> (K, 5)."""
    _, gh, gw = raw.shape
    ys, xs = np.mgrid[0:gh, 0:gw]
    score = sigmoid(raw[0])
    cx = (xs + 2 * sigmoid(raw[1]) - 0.5) * stride
    cy = (ys + 2 * sigmoid(raw[2]) - 0.5) * stride
    w = sigmoid(raw[3]) * INPUT
    h = sigmoid(raw[4]) * INPUT
    b = np.stack([cx - w / 2, cy - h / 2, w, h, score], -1).reshape(-1, 5)
    return b[b[:, 4] >= SCORE_MIN]


def decode_centernet(raw: np.ndarray, stride: int = 4) -> np.ndarray:
    """raw (5, G, G) -> (K, 5): 3x3 local maxima of the heatmap (ties kept, like max-pool == value)."""
    _, gh, gw = raw.shape
    hm = sigmoid(raw[0])
    pad = np.pad(hm, 1, constant_values=-np.inf)
    neigh = np.max(np.stack([pad[dy:dy + gh, dx:dx + gw] for dy in range(3) for dx in range(3)]), 0)
    ys, xs = np.nonzero((hm == neigh) & (hm >= SCORE_MIN))
    cx = (xs + raw[1, ys, xs]) * stride
    cy = (ys + raw[2, ys, xs]) * stride
    w = np.maximum(raw[3, ys, xs], 0) * INPUT
    h = np.maximum(raw[4, ys, xs], 0) * INPUT
    return np.stack([cx - w / 2, cy - h / 2, w, h, hm[ys, xs]], -1).reshape(-1, 5)


def iou_xywh(a: np.ndarray, b: np.ndarray) -> float:
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return 0.0 if union <= 0 else float(inter / union)


def nms(boxes: np.ndarray, iou: float = NMS_IOU, max_det: int = MAX_DET) -> np.ndarray:
    """Greedy NMS, stable sort by descending score."""
    order = np.argsort(-boxes[:, 4], kind='stable')
    keep: list[int] = []
    for i in order:
        if all(iou_xywh(boxes[i], boxes[k]) <= iou for k in keep):
            keep.append(int(i))
            if len(keep) >= max_det:
                break
    return boxes[keep].reshape(-1, 5)


def average_precision(dets: list[np.ndarray], gts: list[np.ndarray], iou_thr: float = 0.5) -> float:
    """VOC all-point interpolated AP over a set of images (single class). dets: (K,5); gts: (G,4)."""
    n_gt = sum(len(g) for g in gts)
    rows = [(float(d[4]), i, d) for i, ds in enumerate(dets) for d in ds]
    rows.sort(key=lambda r: -r[0])
    used = [np.zeros(len(g), bool) for g in gts]
    tp = np.zeros(len(rows))
    for k, (_, i, d) in enumerate(rows):
        best, bj = iou_thr, -1
        for j, g in enumerate(gts[i]):
            v = iou_xywh(d, g)
            if v >= best and not used[i][j]:
                best, bj = v, j
        if bj >= 0:
            used[i][bj] = True
            tp[k] = 1
    if n_gt == 0:
        return float('nan')
    ctp = np.cumsum(tp)
    rec = ctp / n_gt
    prec = ctp / np.arange(1, len(rows) + 1)
    mrec = np.concatenate([[0], rec, [1]])
    mpre = np.concatenate([[0], prec, [0]])
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    idx = np.nonzero(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))


def wbf(box_lists: list[np.ndarray], iou_thr: float = WBF_IOU, nms_iou: float | None = WBF_IOU,
        weights: tuple[float, ...] | None = None) -> np.ndarray:
    """Weighted Box Fusion (Solovyev & Wang; seed 002 eqs. 3-6), then NMS (IoU 0.55, the TS default; None skips
    it). A box's score is multiplied by its model's weight (default 1) and a fused score divided by their sum.
    Port of src/core/postprocess/weightedBoxFusion.ts (checked against it by cxrPostprocessParity.test.ts)."""
    m = len(box_lists)
    w = weights or (1.0,) * m
    box_lists = [b * np.asarray([1, 1, 1, 1, wk]) for b, wk in zip(box_lists, w)]
    allb = np.concatenate([b for b in box_lists if len(b)] or [np.zeros((0, 5))])
    allb = allb[(allb[:, 2] > 0) & (allb[:, 3] > 0)]  # the TS WBF ignores empty boxes
    order = np.argsort(-allb[:, 4], kind='stable')
    clusters: list[list[np.ndarray]] = []
    fused: list[np.ndarray] = []
    for i in order:
        b = allb[i]
        best, bj = iou_thr, -1
        for j, f in enumerate(fused):
            v = iou_xywh(b, f)
            if v > best:
                best, bj = v, j
        if bj < 0:
            clusters.append([b])
            fused.append(b.copy())
        else:
            clusters[bj].append(b)
            fused[bj] = _fuse(clusters[bj])
    out = []
    for c, f in zip(clusters, fused):
        f = f.copy()
        f[4] = f[4] * min(len(c), m) / sum(w)
        out.append(f)
    res = np.asarray(out, dtype=np.float64).reshape(-1, 5)
    return res if nms_iou is None else nms(res, nms_iou, max_det=len(res))


def _fuse(cluster: list[np.ndarray]) -> np.ndarray:
    c = np.asarray(cluster, dtype=np.float64)
    s = c[:, 4]
    x1 = np.sum(s * c[:, 0]) / s.sum()
    y1 = np.sum(s * c[:, 1]) / s.sum()
    x2 = np.sum(s * (c[:, 0] + c[:, 2])) / s.sum()
    y2 = np.sum(s * (c[:, 1] + c[:, 3])) / s.sum()
    return np.asarray([x1, y1, x2 - x1, y2 - y1, s.mean()])
