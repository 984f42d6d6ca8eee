"""Lung + infection segmentation: data step, loss, PyTorch hold-out evaluation."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

import augment
import data
import models

NAME = 'cxr-segmentation'
EPOCHS = 20
BATCH = 16


def build() -> torch.nn.Module:
    return models.UNet((8, 16, 32, 64, 128))


def dice_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    p = torch.sigmoid(logits)
    inter = (p * target).sum(dim=(0, 2, 3))
    den = p.sum(dim=(0, 2, 3)) + target.sum(dim=(0, 2, 3))
    return (1 - (2 * inter + 1) / (den + 1)).mean()


def make_step(ds: data.Dataset, train_idx: np.ndarray):
    img128 = torch.from_numpy(data.downsample2(ds.images[train_idx]) / 255.0).unsqueeze(1)
    masks128 = torch.from_numpy(np.stack([data.downsample2(ds.lung[train_idx]),
                                          data.downsample2(ds.infection[train_idx])], 1))

    def step(model, bi, rng):
        p = augment.sample_affine(rng, len(bi))
        x = augment.intensity_jitter(augment.warp(img128[bi], p), rng)
        y = (augment.warp(masks128[bi], p) > 0.5).float()
        logits = model((x - data.MEAN) / data.STD)
        return F.binary_cross_entropy_with_logits(logits, y) + dice_loss(logits, y)

    return step


def predict_logits_256(model: torch.nn.Module, gray256: np.ndarray, batch: int = 32) -> np.ndarray:
    """(N,256,256) uint8 -> (N,2,256,256) logits, upsampled bilinear half-pixel like the TS path."""
    out = []
    with torch.no_grad():
        for i in range(0, len(gray256), batch):
            x = torch.from_numpy(data.normalize(data.downsample2(gray256[i:i + batch]))).unsqueeze(1)
            lg = model(x)
            out.append(F.interpolate(lg, size=(256, 256), mode='bilinear', align_corners=False).numpy())
    return np.concatenate(out)


def dice(pred: np.ndarray, gt: np.ndarray) -> float:
    s = pred.sum() + gt.sum()
    return 1.0 if s == 0 else float(2 * np.logical_and(pred, gt).sum() / s)


def seg_metrics(lung_pred: np.ndarray, inf_pred: np.ndarray, ds: data.Dataset, idx: np.ndarray) -> dict:
    """Pooled (all hold-out pixels) and mean per-image Dice; infection per-image over COVID images only
    (the others have empty ground truth); infection % of lung MAE over COVID images."""
    lung_gt, inf_gt = ds.lung[idx] > 0, ds.infection[idx] > 0
    covid = ds.labels[idx] == 0
    inf_pct_pred = 100 * np.logical_and(inf_pred, lung_pred).sum((1, 2)) / np.maximum(lung_pred.sum((1, 2)), 1)
    inf_pct_gt = 100 * np.logical_and(inf_gt, lung_gt).sum((1, 2)) / np.maximum(lung_gt.sum((1, 2)), 1)
    return {
        'n_images': int(len(idx)), 'n_covid': int(covid.sum()),
        'lung_dice_pooled': dice(lung_pred, lung_gt),
        'lung_dice_mean_per_image': float(np.mean([dice(a, b) for a, b in zip(lung_pred, lung_gt)])),
        'infection_dice_pooled': dice(inf_pred, inf_gt),
        'infection_dice_mean_per_covid_image': float(np.mean(
            [dice(a, b) for a, b, c in zip(inf_pred, inf_gt, covid) if c])),
        'infection_false_positive_px_fraction_non_covid': float(inf_pred[~covid].mean()),
        'infection_pct_of_lung_mae_covid': float(np.mean(np.abs(inf_pct_pred - inf_pct_gt)[covid])),
    }


def evaluate_torch(model: torch.nn.Module, ds: data.Dataset, idx: np.ndarray) -> dict:
    lg = predict_logits_256(model, ds.images[idx])
    return seg_metrics(lg[:, 0] > 0, lg[:, 1] > 0, ds, idx)


if __name__ == '__main__':
    import loop
    ds = data.load_dataset()
    tr, ho = data.load_split(ds)
    m = loop.train(NAME, build(), len(tr), EPOCHS, BATCH, 3e-3, make_step(ds, tr), seed=1)
    print(evaluate_torch(m, ds, ho), flush=True)
