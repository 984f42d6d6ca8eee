"""Real non-COVID CT slices, cropped by the app's own code (training/ct_common/hardNegativeCrops.ts).

Every slice of these lungs is a negative: 0 % infection, bases and apices included. LIDC-IDRI-0001 is the
only series used for training; Lung-PET-CT-Dx A0002 is never trained on and is the held-out negative control.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))
from training.common.runs import runs_dir  # noqa: E402

TRAIN_SERIES = 'lidc-idri-0001'
CHECK_SERIES = 'lung-pet-ct-dx-a0002'


# 'hard-negatives': each slice's own 2-D lung finder (single images); 'hard-negatives-study': the whole-series
# 3-D lungs (what a DICOM series gets in the app and the CLI), with `assessed` per slice.
CROPS = ('hard-negatives', 'hard-negatives-study')


def load_series(series: str, kind: str = 'reg224', crops: str = 'hard-negatives') -> tuple[np.ndarray, list[dict]]:
    """uint8 (N, H, W) crops in slice order (by z) and the per-slice notes (found, assessed, box, lung area)."""
    d = runs_dir(crops, series)
    meta = os.path.join(d, 'slices.json')
    if not os.path.exists(meta):
        raise FileNotFoundError(f'{meta} missing: run `npx tsx training/ct_common/hardNegativeCrops.ts` first')
    rows = json.load(open(meta))['slices']
    rows = sorted(rows, key=lambda r: (r['z'] is None, r['z'] or 0.0))
    imgs = [np.asarray(Image.open(os.path.join(d, r['file'].replace('.dcm', f'.{kind}.png'))).convert('L'), np.uint8)
            for r in rows]
    return np.stack(imgs), rows


# Issue 11's bounds on a non-COVID series: no slice above 15 %, mean <= 3 %, lesion <= 1 % of the lung volume.
MAX_SLICE_PCT, MAX_MEAN_PCT, MAX_LESION_PCT_OF_LUNG = 15, 3, 1


def within_bounds(max_pct: float, mean_pct: float) -> bool:
    return bool(max_pct <= MAX_SLICE_PCT and mean_pct <= MAX_MEAN_PCT)


def negative_control(pred: np.ndarray, rows: list[dict]) -> dict:
    """Issue 11's study-level check on a non-COVID series: no slice > 15 %, mean over slices with lung <= 3 %.
    'With lung' = the app assesses the slice (study crops) or finds lung in it (2-D crops)."""
    found = np.asarray([r.get('assessed', r['found']) for r in rows], bool)
    lung = pred[found] if found.any() else pred
    return {'n_slices': int(len(pred)), 'n_with_lung': int(found.sum()), 'max': float(pred.max()),
            'max_with_lung': float(lung.max()), 'mean_with_lung': float(lung.mean()), 'n_over_15': int((pred > 15).sum()),
            'pass': within_bounds(lung.max(), lung.mean())}
