"""3-class classification (COVID-19 / other pneumonia / normal): data step, loss, hold-out metrics."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

import augment
import data
import models

NAME = 'cxr-classification'
EPOCHS = 25
BATCH = 32


def build() -> torch.nn.Module:
    return models.Classifier(len(data.CLASS_LABELS))


def make_step(ds: data.Dataset, train_idx: np.ndarray):
    img128 = torch.from_numpy(data.downsample2(ds.images[train_idx]) / 255.0).unsqueeze(1)
    y_all = torch.from_numpy(ds.labels[train_idx])
    counts = np.bincount(ds.labels[train_idx], minlength=len(data.CLASS_LABELS))
    weight = torch.tensor(counts.sum() / (len(counts) * counts), dtype=torch.float32)

    def step(model, bi, rng):
        p = augment.sample_affine(rng, len(bi), max_shift=0.08)
        x = augment.intensity_jitter(augment.warp(img128[bi], p), rng)
        logits = model((x - data.MEAN) / data.STD)
        return F.cross_entropy(logits, y_all[bi], weight=weight, label_smoothing=0.05)

    return step


def predict_probs(model: torch.nn.Module, gray256: np.ndarray, batch: int = 64) -> np.ndarray:
    out = []
    with torch.no_grad():
        for i in range(0, len(gray256), batch):
            x = torch.from_numpy(data.normalize(data.downsample2(gray256[i:i + batch]))).unsqueeze(1)
            out.append(torch.softmax(model(x), 1).numpy())
    return np.concatenate(out)


def cls_metrics(pred: np.ndarray, gt: np.ndarray) -> dict:
    k = len(data.CLASS_LABELS)
    cm = np.zeros((k, k), dtype=int)
    for g, p in zip(gt, pred):
        cm[g, p] += 1
    f1 = []
    for c in range(k):
        tp = cm[c, c]
        prec = tp / max(cm[:, c].sum(), 1)
        rec = tp / max(cm[c, :].sum(), 1)
        f1.append(0.0 if tp == 0 else 2 * prec * rec / (prec + rec))
    return {'n_images': int(len(gt)), 'accuracy': float(np.trace(cm) / cm.sum()), 'macro_f1': float(np.mean(f1)),
            'f1_per_class': {l: float(v) for l, v in zip(data.CLASS_LABELS, f1)},
            'confusion_matrix_rows_true_cols_pred': cm.tolist(), 'labels': data.CLASS_LABELS}


def evaluate_torch(model: torch.nn.Module, ds: data.Dataset, idx: np.ndarray) -> dict:
    return cls_metrics(predict_probs(model, ds.images[idx]).argmax(1), ds.labels[idx])


if __name__ == '__main__':
    import loop
    ds = data.load_dataset()
    tr, ho = data.load_split(ds)
    m = loop.train(NAME, build(), len(tr), EPOCHS, BATCH, 2e-3, make_step(ds, tr), seed=2)
    print(evaluate_torch(m, ds, ho), flush=True)
