"""Predictions and metrics of the CT regression models (PyTorch checkpoints and ONNX files).

The deployed decode: round(mean(linear head, softmax expectation)) clipped to 0..100."""
from __future__ import annotations

import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..'))
sys.path.insert(0, HERE)

from data import load_slices, to_input  # noqa: E402
from model import N_BINS, TwoHeadRegressor  # noqa: E402


def metrics(pred: np.ndarray, gt: np.ndarray) -> dict:
    err = pred - gt
    return {'n': int(len(gt)), 'mae': float(np.abs(err).mean()), 'rmse': float(np.sqrt((err ** 2).mean())),
            'pearson': float(np.corrcoef(pred, gt)[0, 1]) if np.std(pred) > 0 else 0.0}


def decode_np(lin: np.ndarray, logits: np.ndarray) -> dict:
    z = logits - logits.max(1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(1, keepdims=True)
    exp = (p * np.arange(N_BINS)).sum(1)
    lin = lin.reshape(-1)
    return {'linear': lin, 'expectation': exp, 'combined': np.clip(np.round(0.5 * (lin + exp)), 0, 100)}


@torch.no_grad()
def predict(model: TwoHeadRegressor, images: np.ndarray, bs: int = 64) -> dict:
    """PyTorch fp32 heads (expectation computed in torch, as when the v1 card was written)."""
    model.eval()
    lin, exp = [], []
    for i in range(0, len(images), bs):
        a, logits = model(to_input(images[i:i + bs]))
        lin.append(a.squeeze(1))
        exp.append(model.expectation(logits).squeeze(1))
    lin, exp = torch.cat(lin).numpy(), torch.cat(exp).numpy()
    return {'linear': lin, 'expectation': exp, 'combined': np.clip(np.round(0.5 * (lin + exp)), 0, 100)}


def onnx_predict(path: str, images: np.ndarray, bs: int = 128) -> dict:
    from training.common import run_onnx
    lins, logits = [], []
    for i in range(0, len(images), bs):
        o = run_onnx(path, {'image': to_input(images[i:i + bs]).numpy()})
        lins.append(o['percent_linear'])
        logits.append(o['percent_bins'])
    return decode_np(np.concatenate(lins), np.concatenate(logits))


def load_final(path: str) -> TwoHeadRegressor:
    ck = torch.load(path)
    m = TwoHeadRegressor(tuple(ck['widths']))
    m.load_state_dict(ck['model'])
    return m.eval()


def evaluate_folds(paths: dict[int, str]) -> dict:
    s = load_slices()
    out = {}
    for fold, path in paths.items():
        va = s.fold == fold
        p = predict(load_final(path), s.images[va])
        gt = s.percent[va]
        out[str(fold)] = {'combined': metrics(p['combined'], gt),
                          'linear_rounded': metrics(np.clip(np.round(p['linear']), 0, 100), gt),
                          'expectation_rounded': metrics(np.clip(np.round(p['expectation']), 0, 100), gt)}
    return out
