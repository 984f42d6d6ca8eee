"""Held-out evaluation of the CT lesion segmentation (PyTorch or ONNX runner), decoded as the app decodes."""
from __future__ import annotations

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from data import to_input  # noqa: E402
from model import SegUNet  # noqa: E402

THRESHOLD = 0.5


def binary_metrics(pred: np.ndarray, gt: np.ndarray) -> dict:
    tp = float(np.logical_and(pred, gt).sum())
    fp = float(np.logical_and(pred, ~gt).sum())
    fn = float(np.logical_and(~pred, gt).sum())
    return {'tp': tp, 'fp': fp, 'fn': fn}


def summarize(counts: list[dict]) -> dict:
    """Mean over slices (the seed's convention) and pooled over all pixels."""
    def m(c):
        tp, fp, fn = c['tp'], c['fp'], c['fn']
        return {'dice': 2 * tp / max(2 * tp + fp + fn, 1), 'iou': tp / max(tp + fp + fn, 1),
                'sensitivity': tp / max(tp + fn, 1), 'precision': tp / max(tp + fp, 1)}
    per = [m(c) for c in counts]
    pooled = m({k: sum(c[k] for c in counts) for k in ('tp', 'fp', 'fn')})
    return {'mean_over_slices': {k: float(np.mean([p[k] for p in per])) for k in per[0]},
            'pooled_pixels': pooled, 'per_slice_dice': [p['dice'] for p in per]}


def decode(lesion_logit: np.ndarray, class_logit: np.ndarray, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Model-resolution logits -> (lesion bool (h,w), class map (h,w) 0/1/2) at the image's own size, exactly as
    the TypeScript analysis does: bilinear half-pixel upsampling of logits, sigmoid > THRESHOLD, and among lesion
    pixels GGO vs consolidation by the larger class logit."""
    lz = F.interpolate(torch.from_numpy(lesion_logit), size=(h, w), mode='bilinear', align_corners=False)[0, 0]
    cz = F.interpolate(torch.from_numpy(class_logit), size=(h, w), mode='bilinear', align_corners=False)[0]
    lesion = (torch.sigmoid(lz) > THRESHOLD).numpy()
    cls = np.where(lesion, np.where(cz[2] > cz[1], 2, 1), 0).astype(np.uint8)
    return lesion, cls


def evaluate(run_model, slices) -> dict:
    """run_model(x (1,1,S,S) float32 numpy) -> (lesion logits, class logits) numpy."""
    outs = [run_model(to_input(s.image).numpy()) for s in slices]
    return evaluate_outputs([o[0] for o in outs], [o[1] for o in outs], slices)


def evaluate_outputs(lesion_logits, class_logits, slices) -> dict:
    """Metrics from per-slice model outputs ((1,1,S,S) and (1,3,S,S) each), decoded at each slice's own size."""
    les, ggo, con = [], [], []
    for lz, cz, s in zip(lesion_logits, class_logits, slices):
        lesion, cls = decode(lz, cz, *s.image.shape)
        les.append(binary_metrics(lesion, s.classes > 0))
        ggo.append(binary_metrics(cls == 1, s.classes == 1))
        con.append(binary_metrics(cls == 2, s.classes == 2))
    return {'lesion': summarize(les), 'ggo': summarize(ggo), 'consolidation': summarize(con),
            'n_slices': len(slices), 'names': [s.name for s in slices], 'threshold': THRESHOLD}


def torch_runner(model: SegUNet):
    model.eval()

    @torch.no_grad()
    def run(x: np.ndarray):
        a, b = model(torch.from_numpy(x))
        return a.numpy(), b.numpy()
    return run


def load_final(path: str) -> SegUNet:
    ck = torch.load(path)
    m = SegUNet(tuple(ck['widths']))
    m.load_state_dict(ck['model'])
    return m.eval()
