"""COVID-SemiSeg (Inf-Net) train slices: 50 lung-cropped 8-bit JPEGs with GGO / consolidation masks.

There are no patient ids, so the hold-out is by slice (fixed seeded draw of HOLDOUT_N of the 50).
Images are resized to INPUT_SIZE x INPUT_SIZE (aspect not kept, as Inf-Net does) with bilinear half-pixel
(`F.interpolate(align_corners=False)`), which the TypeScript preprocessing reproduces.
"""
from __future__ import annotations

import csv
import json
import os
import sys
import random
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
DATA = os.path.abspath(os.path.join(REPO, '..', 'shared', 'data', 'covid-semiseg-infnet'))
sys.path.insert(0, REPO)
from training.common.runs import runs_dir  # noqa: E402

RUNS = runs_dir('ct_segmentation')  # outside the work tree ($LUNGLENS_RUNS)

INPUT_SIZE = 192
SCALE = 1.0 / 255.0
MEAN = 0.5
STD = 0.25
SPLIT_SEED = 20261123
HOLDOUT_N = 10


@dataclass
class Slice:
    name: str
    image: np.ndarray   # (H, W) uint8, original size
    classes: np.ndarray  # (H, W) uint8: 0 background, 1 GGO, 2 consolidation


def load_all() -> list[Slice]:
    with open(os.path.join(DATA, 'files.csv')) as f:
        rows = [r for r in csv.DictReader(f) if r['split'] == 'train']
    rows.sort(key=lambda r: int(r['id']))
    out = []
    for r in rows:
        img = np.asarray(Image.open(os.path.join(DATA, r['image'])).convert('L'), dtype=np.uint8)
        cls = np.asarray(Image.open(os.path.join(DATA, r['mask_multiclass'])), dtype=np.uint8)
        assert img.shape == cls.shape
        out.append(Slice(r['image'], img, cls))
    return out


def load_hard_negatives() -> list[np.ndarray]:
    """LIDC-IDRI-0001 (no COVID-19) as the app feeds this model: every assessed slice of the whole-series 3-D
    lung crop, plus every slice where the single-image 2-D lung finder found lung. Variable sizes (uint8 crops)."""
    sys.path.insert(0, os.path.join(REPO, 'training', 'ct_regression'))
    import hard_negatives as hn
    out = []
    for crops, keep in (('hard-negatives-study', 'assessed'), ('hard-negatives', 'found')):
        d = runs_dir(crops, hn.TRAIN_SERIES)
        for r in json.load(open(os.path.join(d, 'slices.json')))['slices']:
            if r[keep]:
                out.append(np.asarray(Image.open(os.path.join(d, r['file'].replace('.dcm', '.seg.png'))).convert('L'), np.uint8))
    return out


N_FOLDS = 5  # 50 slices -> 5 folds of HOLDOUT_N; fold 0 is the original hold-out (v1's comparison split)


def split(slices: list[Slice], fold: int = 0) -> tuple[list[Slice], list[Slice]]:
    """Fold `fold` held out, the rest for training: a fixed seeded shuffle cut into N_FOLDS blocks, by slice."""
    idx = list(range(len(slices)))
    random.Random(SPLIT_SEED).shuffle(idx)
    hold = set(idx[fold * HOLDOUT_N:(fold + 1) * HOLDOUT_N])
    return [s for i, s in enumerate(slices) if i not in hold], [s for i, s in enumerate(slices) if i in hold]


def to_input(u8: np.ndarray, size: int = INPUT_SIZE) -> torch.Tensor:
    """uint8 (H,W) -> normalized (1,1,size,size): exactly the deployed preprocessing."""
    x = torch.from_numpy(u8.astype(np.float32))[None, None]
    x = F.interpolate(x, size=(size, size), mode='bilinear', align_corners=False)
    return (x * SCALE - MEAN) / STD


def to_target(cls: np.ndarray, size: int = INPUT_SIZE) -> torch.Tensor:
    """Class map -> (1, size, size) int64 via bilinear one-hot resize + argmax (keeps thin structures fair)."""
    oh = F.one_hot(torch.from_numpy(cls.astype(np.int64)), 3).permute(2, 0, 1).float()[None]
    oh = F.interpolate(oh, size=(size, size), mode='bilinear', align_corners=False)
    return oh.argmax(1)


def augment(x: torch.Tensor, y: torch.Tensor, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Heavy augmentation (the set is tiny): h/v flips, rotation +-30 deg, scale 0.7-1.3, shift, shear,
    gamma / contrast / brightness, Gaussian noise, occasional blur. x (N,1,H,W) normalized, y (N,H,W) int64."""
    n = x.shape[0]
    r = lambda *s: torch.rand(*s, generator=gen)  # noqa: E731
    hf, vf = r(n) < 0.5, r(n) < 0.3
    x = torch.where(hf[:, None, None, None], x.flip(-1), x)
    y = torch.where(hf[:, None, None], y.flip(-1), y)
    x = torch.where(vf[:, None, None, None], x.flip(-2), x)
    y = torch.where(vf[:, None, None], y.flip(-2), y)
    ang = (r(n) - 0.5) * 2 * (30 * np.pi / 180)
    sc = 0.7 + r(n) * 0.6
    sh = (r(n) - 0.5) * 0.3
    t = (r(n, 2) - 0.5) * 0.3
    cos, sin = torch.cos(ang) / sc, torch.sin(ang) / sc
    theta = torch.stack([torch.stack([cos, -sin + sh, t[:, 0]], 1), torch.stack([sin, cos, t[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    fill = x[:, :, :3, :3].mean(dim=(1, 2, 3), keepdim=True)
    x = F.grid_sample(x - fill, grid, mode='bilinear', padding_mode='zeros', align_corners=False) + fill
    y = F.grid_sample(y[:, None].float(), grid, mode='nearest', padding_mode='zeros', align_corners=False)[:, 0].long()
    # intensity in [0,1] space
    u = (x * STD + MEAN).clamp(0, 1)
    gamma = torch.exp((r(n, 1, 1, 1) - 0.5) * 0.8)
    u = u ** gamma
    u = (u - 0.5) * (0.75 + r(n, 1, 1, 1) * 0.5) + 0.5 + (r(n, 1, 1, 1) - 0.5) * 0.2
    blur = r(n) < 0.2
    if blur.any():
        k = torch.tensor([1.0, 2.0, 1.0])
        k = (k[:, None] * k[None, :] / 16)[None, None]
        u = torch.where(blur[:, None, None, None], F.conv2d(F.pad(u, (1, 1, 1, 1), mode='replicate'), k), u)
    u = u + torch.randn(u.shape, generator=gen) * (r(n, 1, 1, 1) * 0.03)
    return (u - MEAN) / STD, y
