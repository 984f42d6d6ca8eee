"""COVID-QU-Ex (staged subset) loading, the fixed hold-out split, and augmentation.

Everything is cached once as uint8 arrays at the source size (256x256) in <runs>/cxr/cache.npz
(<runs> = $LUNGLENS_RUNS, default /work/lunglens-runs: outside the work tree);
models train at 128x128 where the 256->128 step is a 2x2 mean (= bilinear half-pixel for an exact 2x
downscale and = the area resize the TypeScript preprocessing uses), so Python and TS agree bit-for-bit
up to float rounding.
"""
from __future__ import annotations

import csv
import json
import os
import random
import sys
from dataclasses import dataclass

import numpy as np
from PIL import Image

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, REPO)
from training.common.runs import runs_dir  # noqa: E402

DATA = os.path.abspath(os.path.join(REPO, '..', 'shared', 'data', 'covid-qu-ex'))
RUNS = runs_dir('cxr')
SPLIT_PATH = os.path.join(os.path.dirname(__file__), 'split.json')
CACHE_PATH = os.path.join(RUNS, 'cache.npz')

# Label order is the model's output order; the manifest stores it so a 4-class model can replace it.
CLASS_LABELS = ['COVID-19', 'other pneumonia', 'normal']
FOLDER_TO_CLASS = {'COVID-19': 0, 'Non-COVID': 1, 'Normal': 2}
SPLIT_SEED = 20261123
HOLDOUT_FRACTION = 0.2


@dataclass
class Dataset:
    names: list[str]          # relative image paths (unique ids)
    images: np.ndarray        # (N, 256, 256) uint8
    lung: np.ndarray          # (N, 256, 256) uint8 0/1
    infection: np.ndarray     # (N, 256, 256) uint8 0/1
    labels: np.ndarray        # (N,) int64 index into CLASS_LABELS
    boxes: list[np.ndarray]   # per image (K, 4) float32 [x, y, w, h] in 256-px coordinates


def _read_gray(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert('L'), dtype=np.uint8)


def _load_from_disk() -> Dataset:
    with open(os.path.join(DATA, 'files.csv')) as f:
        rows = sorted(csv.DictReader(f), key=lambda r: r['image'])
    coco = json.load(open(os.path.join(DATA, 'boxes_derived_coco.json')))
    id_by_name = {im['file_name']: im['id'] for im in coco['images']}
    boxes_by_id: dict[int, list] = {}
    for a in coco['annotations']:
        boxes_by_id.setdefault(a['image_id'], []).append(a['bbox'])
    names, imgs, lungs, infs, labels, boxes = [], [], [], [], [], []
    for r in rows:
        names.append(r['image'])
        imgs.append(_read_gray(os.path.join(DATA, r['image'])))
        lungs.append((_read_gray(os.path.join(DATA, r['lung_mask'])) > 127).astype(np.uint8))
        infs.append((_read_gray(os.path.join(DATA, r['infection_mask'])) > 127).astype(np.uint8))
        labels.append(FOLDER_TO_CLASS[r['label']])
        b = boxes_by_id.get(id_by_name[r['image']], [])
        boxes.append(np.asarray(b, dtype=np.float32).reshape(-1, 4))
    return Dataset(names, np.stack(imgs), np.stack(lungs), np.stack(infs), np.asarray(labels, np.int64), boxes)


def load_dataset() -> Dataset:
    if os.path.exists(CACHE_PATH):
        z = np.load(CACHE_PATH, allow_pickle=True)
        with open(os.path.join(DATA, 'files.csv')) as f:
            n_rows = sum(1 for _ in csv.DictReader(f))
        if len(z['names']) == n_rows:  # a re-staged data set (more images) rebuilds the cache
            return Dataset(list(z['names']), z['images'], z['lung'], z['infection'], z['labels'], list(z['boxes']))
    ds = _load_from_disk()
    os.makedirs(RUNS, exist_ok=True)
    box_arr = np.empty(len(ds.boxes), dtype=object)
    box_arr[:] = ds.boxes
    np.savez(CACHE_PATH, names=np.asarray(ds.names), images=ds.images, lung=ds.lung,
             infection=ds.infection, labels=ds.labels, boxes=box_arr)
    return ds


def make_split(ds: Dataset) -> dict:
    """Seeded, stratified (by class) image-level hold-out. NOT patient-disjoint (no patient ids)."""
    rng = random.Random(SPLIT_SEED)
    holdout: list[str] = []
    for c in range(len(CLASS_LABELS)):
        names = sorted(n for n, l in zip(ds.names, ds.labels) if l == c)
        holdout += rng.sample(names, round(len(names) * HOLDOUT_FRACTION))
    hs = set(holdout)
    return {
        'seed': SPLIT_SEED, 'holdout_fraction': HOLDOUT_FRACTION,
        'note': 'image-level stratified split; not patient-disjoint; source pools may hold near-duplicates',
        'train': sorted(n for n in ds.names if n not in hs), 'holdout': sorted(hs),
    }


def load_split(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    if not os.path.exists(SPLIT_PATH):
        with open(SPLIT_PATH, 'w') as f:
            json.dump(make_split(ds), f, indent=1)
    sp = json.load(open(SPLIT_PATH))
    idx = {n: i for i, n in enumerate(ds.names)}
    return np.asarray([idx[n] for n in sp['train']]), np.asarray([idx[n] for n in sp['holdout']])


def downsample2(x: np.ndarray) -> np.ndarray:
    """(..., 256, 256) -> (..., 128, 128) float32 2x2 mean."""
    x = x.astype(np.float32)
    return 0.25 * (x[..., 0::2, 0::2] + x[..., 1::2, 0::2] + x[..., 0::2, 1::2] + x[..., 1::2, 1::2])


# Input normalisation shared by all four CXR models (stored in the manifest): x = (p/255 - 0.5) / 0.25
MEAN, STD = 0.5, 0.25


def normalize(gray: np.ndarray) -> np.ndarray:
    return ((gray.astype(np.float32) / 255.0) - MEAN) / STD


def random_affine_params(rng: np.random.Generator, size: int) -> tuple[float, float, float]:
    """Mild scale + shift (no flips: left/right anatomy is kept)."""
    s = float(rng.uniform(0.9, 1.1))
    tx, ty = (float(v) for v in rng.uniform(-0.06, 0.06, 2) * size)
    return s, tx, ty
