#!/usr/bin/python3
"""Does test-time horizontal flip help? Every finished v2-e5 fold model on its own held-out fold, with and
without averaging the heads over the image and its mirror (issue 11: "if it helps on the validation folds").

    /usr/bin/python3 training/ct_regression/tta_flip.py   # -> results/tta_flip-v2-e5.json
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', '..'))

from config import FOLDS  # noqa: E402
from data import RUNS, load_slices  # noqa: E402
from evaluate import load_final, metrics, predict  # noqa: E402
from train import run_name  # noqa: E402


def combined(lin: np.ndarray, exp: np.ndarray) -> np.ndarray:
    return np.clip(np.round(0.5 * (lin + exp)), 0, 100)


def main() -> None:
    torch.set_num_threads(int(os.environ.get('TORCH_THREADS', '2')))
    s = load_slices()
    folds = {}
    for f in FOLDS:
        path = os.path.join(RUNS, run_name(f, True, True, tag='-e5'), 'final.pt')
        if not os.path.exists(path):
            continue
        m, va = load_final(path), s.fold == f
        p, q = predict(m, s.images[va]), predict(m, s.images[va][..., ::-1].copy())
        flip = combined(0.5 * (p['linear'] + q['linear']), 0.5 * (p['expectation'] + q['expectation']))
        folds[f] = {'mae': metrics(p['combined'], s.percent[va])['mae'], 'mae_flip_tta': metrics(flip, s.percent[va])['mae']}
    maes = np.array([[v['mae'], v['mae_flip_tta']] for v in folds.values()])
    out = {'recipe': 'v2-e5', 'folds': folds, 'mae_mean': float(maes[:, 0].mean()), 'mae_flip_tta_mean': float(maes[:, 1].mean()),
           'mae_sd': float(maes[:, 0].std(ddof=1)), 'mae_flip_tta_sd': float(maes[:, 1].std(ddof=1))}
    with open(os.path.join(HERE, 'results', 'tta_flip-v2-e5.json'), 'w') as fh:
        json.dump(out, fh, indent=1)
    print(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
