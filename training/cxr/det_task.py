"""Opacity detectors A (YOLO-style grid, GIoU) and B (CenterNet-style): targets, losses, hold-out mAP."""
from __future__ import annotations

import math
import sys

import numpy as np
import torch
import torch.nn.functional as F

import augment
import data
import det_post
import models

SIZE = 128
CONFIGS = {
    'yolo': dict(name='cxr-detector-yolo', epochs=22, batch=32, lr=2e-3),
    'centernet': dict(name='cxr-detector-centernet', epochs=22, batch=32, lr=2e-3),
}


def build(kind: str) -> torch.nn.Module:
    return models.YoloGridDetector() if kind == 'yolo' else models.CenterNetDetector()


def giou(p: torch.Tensor, g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """p, g: (N, 4) [x1, y1, x2, y2] -> (iou, giou)."""
    iw = (torch.min(p[:, 2], g[:, 2]) - torch.max(p[:, 0], g[:, 0])).clamp(min=0)
    ih = (torch.min(p[:, 3], g[:, 3]) - torch.max(p[:, 1], g[:, 1])).clamp(min=0)
    inter = iw * ih
    area_p = (p[:, 2] - p[:, 0]) * (p[:, 3] - p[:, 1])
    area_g = (g[:, 2] - g[:, 0]) * (g[:, 3] - g[:, 1])
    union = area_p + area_g - inter + 1e-7
    iou = inter / union
    cw = torch.max(p[:, 2], g[:, 2]) - torch.min(p[:, 0], g[:, 0])
    ch = torch.max(p[:, 3], g[:, 3]) - torch.min(p[:, 1], g[:, 1])
    hull = cw * ch + 1e-7
    return iou, iou - (hull - union) / hull


def yolo_targets(boxes_list: list[np.ndarray], stride: int = 16):
    """Centre cell + the two nearest neighbour cells (YOLOv5 assignment). Returns (b, gy, gx, box_xyxy)."""
    g = SIZE // stride
    rows = []
    for b, boxes in enumerate(boxes_list):
        for x, y, w, h in boxes:
            cx, cy = (x + w / 2) / stride, (y + h / 2) / stride
            gx, gy = min(int(cx), g - 1), min(int(cy), g - 1)
            cells = {(gy, gx)}
            nx = gx - 1 if cx - gx < 0.5 else gx + 1
            ny = gy - 1 if cy - gy < 0.5 else gy + 1
            if 0 <= nx < g:
                cells.add((gy, nx))
            if 0 <= ny < g:
                cells.add((ny, gx))
            for cy_, cx_ in cells:
                rows.append((b, cy_, cx_, x, y, x + w, y + h))
    return np.asarray(rows, dtype=np.float32).reshape(-1, 7)


def yolo_loss(raw: torch.Tensor, boxes_list: list[np.ndarray], stride: int = 16) -> torch.Tensor:
    t = torch.from_numpy(yolo_targets(boxes_list, stride))
    obj_target = torch.zeros_like(raw[:, 0])
    box_loss = raw.sum() * 0
    if len(t):
        b, gy, gx = t[:, 0].long(), t[:, 1].long(), t[:, 2].long()
        pr = raw[b, :, gy, gx]
        cx = (gx.float() + 2 * torch.sigmoid(pr[:, 1]) - 0.5) * stride
        cy = (gy.float() + 2 * torch.sigmoid(pr[:, 2]) - 0.5) * stride
        w, h = torch.sigmoid(pr[:, 3]) * SIZE, torch.sigmoid(pr[:, 4]) * SIZE
        pbox = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)
        iou, g = giou(pbox, t[:, 3:])
        box_loss = (1 - g).mean()
        # objectness target = IoU of the cell's box (YOLOv5): scores then rank by localisation quality
        obj_target = obj_target.index_put((b, gy, gx), iou.detach().clamp(0), accumulate=False)
    obj_loss = F.binary_cross_entropy_with_logits(raw[:, 0], obj_target, pos_weight=torch.tensor(4.0))
    return 5.0 * box_loss + obj_loss


def gaussian_radius(h: float, w: float, min_overlap: float = 0.7) -> float:
    """CenterNet's radius so that a corner-shifted box still has IoU >= min_overlap."""
    a1, b1, c1 = 1, h + w, w * h * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + math.sqrt(b1 ** 2 - 4 * a1 * c1)) / 2
    a2, b2, c2 = 4, 2 * (h + w), (1 - min_overlap) * w * h
    r2 = (b2 + math.sqrt(b2 ** 2 - 4 * a2 * c2)) / 2
    a3, b3, c3 = 4 * min_overlap, -2 * min_overlap * (h + w), (min_overlap - 1) * w * h
    r3 = (b3 + math.sqrt(b3 ** 2 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def centernet_targets(boxes_list: list[np.ndarray], stride: int = 4):
    g = SIZE // stride
    n = len(boxes_list)
    hm = np.zeros((n, g, g), np.float32)
    reg = []  # (b, gy, gx, offx, offy, w, h)
    ys, xs = np.mgrid[0:g, 0:g]
    for b, boxes in enumerate(boxes_list):
        for x, y, w, h in boxes:
            cx, cy = (x + w / 2) / stride, (y + h / 2) / stride
            gx, gy = min(int(cx), g - 1), min(int(cy), g - 1)
            r = max(0.0, gaussian_radius(h / stride, w / stride))
            sigma = (2 * int(r) + 1) / 6
            hm[b] = np.maximum(hm[b], np.exp(-((xs - gx) ** 2 + (ys - gy) ** 2) / (2 * sigma ** 2)))
            reg.append((b, gy, gx, cx - gx, cy - gy, w / SIZE, h / SIZE))
    return hm, np.asarray(reg, np.float32).reshape(-1, 7)


def centernet_loss(raw: torch.Tensor, boxes_list: list[np.ndarray], stride: int = 4) -> torch.Tensor:
    hm_t, reg = centernet_targets(boxes_list, stride)
    hm_t = torch.from_numpy(hm_t)
    p = torch.sigmoid(raw[:, 0]).clamp(1e-4, 1 - 1e-4)
    pos = hm_t.eq(1).float()
    pos_loss = (torch.log(p) * (1 - p) ** 2 * pos).sum()
    neg_loss = (torch.log(1 - p) * p ** 2 * (1 - hm_t) ** 4 * (1 - pos)).sum()
    n_pos = pos.sum().clamp(min=1)
    focal = -(pos_loss + neg_loss) / n_pos
    reg_loss = raw.sum() * 0
    if len(reg):
        r = torch.from_numpy(reg)
        b, gy, gx = r[:, 0].long(), r[:, 1].long(), r[:, 2].long()
        pr = raw[b, 1:5, gy, gx]
        reg_loss = F.l1_loss(pr[:, :2], r[:, 3:5]) + 5.0 * F.l1_loss(pr[:, 2:4], r[:, 5:7])
    return focal + reg_loss


def make_step(kind: str, ds: data.Dataset, train_idx: np.ndarray):
    img128 = torch.from_numpy(data.downsample2(ds.images[train_idx]) / 255.0).unsqueeze(1)
    boxes128 = [ds.boxes[i] / 2.0 for i in train_idx]
    loss_fn = yolo_loss if kind == 'yolo' else centernet_loss

    def step(model, bi, rng):
        p = augment.sample_affine(rng, len(bi))
        x = augment.intensity_jitter(augment.warp(img128[bi], p), rng)
        bl = [augment.warp_boxes(boxes128[i], p[k], SIZE) for k, i in enumerate(bi)]
        return loss_fn(model((x - data.MEAN) / data.STD), bl)

    return step


def predict_raw(model: torch.nn.Module, gray256: np.ndarray, batch: int = 64) -> np.ndarray:
    out = []
    with torch.no_grad():
        for i in range(0, len(gray256), batch):
            x = torch.from_numpy(data.normalize(data.downsample2(gray256[i:i + batch]))).unsqueeze(1)
            out.append(model(x).numpy())
    return np.concatenate(out)


def detections_256(kind: str, raw: np.ndarray) -> list[np.ndarray]:
    """Decoded + NMS boxes per image, scaled to the 256-px source grid (x2)."""
    dec = det_post.decode_yolo if kind == 'yolo' else det_post.decode_centernet
    out = []
    for r in raw:
        b = det_post.nms(dec(r))
        b[:, :4] *= 256 / SIZE
        out.append(b)
    return out


def evaluate_torch(kind: str, model: torch.nn.Module, ds: data.Dataset, idx: np.ndarray) -> dict:
    dets = detections_256(kind, predict_raw(model, ds.images[idx]))
    gts = [ds.boxes[i] for i in idx]
    return {'n_images': int(len(idx)), 'n_gt_boxes': int(sum(len(g) for g in gts)),
            'map50': det_post.average_precision(dets, gts)}


if __name__ == '__main__':
    import loop
    kind = sys.argv[1]
    cfg = CONFIGS[kind]
    ds = data.load_dataset()
    tr, ho = data.load_split(ds)
    m = loop.train(cfg['name'], build(kind), len(tr), cfg['epochs'], cfg['batch'], cfg['lr'],
                   make_step(kind, ds, tr), seed=3 if kind == 'yolo' else 4)
    print(evaluate_torch(kind, m, ds, ho), flush=True)
