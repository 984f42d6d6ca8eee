"""Per-COVID-19 slices (per-covid-19/labels.csv), cached once as uint8, and the light augmentation.

Images are 224x224 8-bit lung-window crops. The model runs at INPUT_SIZE; the 224 -> INPUT_SIZE step is
`F.interpolate(bilinear, align_corners=False, antialias=False)` -- the manifest's "bilinear-half-pixel" --
which the TypeScript preprocessing reproduces (golden fixture in the parity test).
"""
from __future__ import annotations

import csv
import os
import sys
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, REPO)
from training.common.runs import runs_dir  # noqa: E402

DATA = os.path.abspath(os.path.join(REPO, '..', 'shared', 'data', 'per-covid-19'))
RUNS = runs_dir('ct_regression')  # outside the work tree ($LUNGLENS_RUNS)
CACHE_PATH = os.path.join(RUNS, 'cache.npz')

INPUT_SIZE = 128
SCALE = 1.0 / 255.0
MEAN = 0.5
STD = 0.25


@dataclass
class Slices:
    names: list[str]
    images: np.ndarray    # (N, 224, 224) uint8
    percent: np.ndarray   # (N,) float32 0..100
    fold: np.ndarray      # (N,) int64 1..4
    subject: np.ndarray   # (N,) int64


def load_slices() -> Slices:
    if os.path.exists(CACHE_PATH):
        z = np.load(CACHE_PATH, allow_pickle=False)
        return Slices(list(z['names']), z['images'], z['percent'], z['fold'], z['subject'])
    with open(os.path.join(DATA, 'labels.csv')) as f:
        rows = list(csv.DictReader(f))
    images = np.stack([np.asarray(Image.open(os.path.join(DATA, r['image'])).convert('L'), dtype=np.uint8)
                       for r in rows])
    s = Slices([r['image'] for r in rows], images,
               np.array([float(r['infection_percentage']) for r in rows], np.float32),
               np.array([int(r['fold']) for r in rows], np.int64),
               np.array([int(r['subject_id']) for r in rows], np.int64))
    os.makedirs(RUNS, exist_ok=True)
    np.savez(CACHE_PATH, names=np.array(s.names), images=s.images, percent=s.percent, fold=s.fold,
             subject=s.subject)
    return s


def to_input(u8: np.ndarray | torch.Tensor, size: int = INPUT_SIZE) -> torch.Tensor:
    """uint8 (N,H,W) -> normalized float (N,1,size,size), exactly the deployed preprocessing."""
    x = torch.as_tensor(np.asarray(u8)).float().unsqueeze(1)
    if x.shape[-1] != size or x.shape[-2] != size:
        x = F.interpolate(x, size=(size, size), mode='bilinear', align_corners=False)
    return (x * SCALE - MEAN) / STD


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Light augmentation on normalized batches: flips, small affine (rot/scale/shift), brightness/contrast."""
    n = x.shape[0]
    flip = torch.rand(n, generator=gen) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(-1), x)
    ang = (torch.rand(n, generator=gen) - 0.5) * 2 * (12 * np.pi / 180)
    sc = 1 + (torch.rand(n, generator=gen) - 0.5) * 0.2
    tx = (torch.rand(n, 2, generator=gen) - 0.5) * 0.12
    cos, sin = torch.cos(ang) / sc, torch.sin(ang) / sc
    theta = torch.stack([torch.stack([cos, -sin, tx[:, 0]], 1), torch.stack([sin, cos, tx[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    # pad with the image's own "outside" value (the crops have white/black borders: use the corner value)
    fill = x[:, :, :2, :2].mean(dim=(1, 2, 3), keepdim=True)
    x = F.grid_sample(x - fill, grid, mode='bilinear', padding_mode='zeros', align_corners=False) + fill
    gain = 1 + (torch.rand(n, 1, 1, 1, generator=gen) - 0.5) * 0.2
    bias = (torch.rand(n, 1, 1, 1, generator=gen) - 0.5) * 0.2 / STD
    return x * gain + bias
