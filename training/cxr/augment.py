"""Batched geometric + intensity augmentation on torch tensors (images, masks, boxes move together)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def sample_affine(rng: np.random.Generator, n: int, max_shift: float = 0.06) -> np.ndarray:
    """Per-sample (scale, shift_x, shift_y), shifts as a fraction of the image size. No flips."""
    s = rng.uniform(0.9, 1.1, n)
    t = rng.uniform(-max_shift, max_shift, (n, 2))
    return np.concatenate([s[:, None], t], 1).astype(np.float32)


def warp(x: torch.Tensor, params: np.ndarray, mode: str = 'bilinear') -> torch.Tensor:
    """out(p) = in((p - c - t)/s + c): scales about the centre by s then shifts by t (normalised coords)."""
    s = torch.from_numpy(params[:, 0])
    t = torch.from_numpy(params[:, 1:]) * 2.0
    theta = torch.zeros(x.shape[0], 2, 3)
    theta[:, 0, 0] = 1.0 / s
    theta[:, 1, 1] = 1.0 / s
    theta[:, :, 2] = -t / s[:, None]
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode=mode, padding_mode='zeros', align_corners=False)


def warp_boxes(boxes: np.ndarray, p: np.ndarray, size: float) -> np.ndarray:
    """[x, y, w, h] px boxes through the same transform, clipped to the image; tiny leftovers dropped."""
    if len(boxes) == 0:
        return boxes
    s, tx, ty = float(p[0]), float(p[1]) * size, float(p[2]) * size
    c = size / 2.0
    x1 = (boxes[:, 0] - c) * s + c + tx
    y1 = (boxes[:, 1] - c) * s + c + ty
    x2 = (boxes[:, 0] + boxes[:, 2] - c) * s + c + tx
    y2 = (boxes[:, 1] + boxes[:, 3] - c) * s + c + ty
    x1, x2 = np.clip(x1, 0, size), np.clip(x2, 0, size)
    y1, y2 = np.clip(y1, 0, size), np.clip(y2, 0, size)
    out = np.stack([x1, y1, x2 - x1, y2 - y1], 1)
    return out[(out[:, 2] > 2) & (out[:, 3] > 2)].astype(np.float32)


def intensity_jitter(x01: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Gamma + contrast/brightness on [0,1] images: real DICOM windows differ from the PNG sources."""
    n = x01.shape[0]
    gamma = torch.from_numpy(np.exp(rng.uniform(-0.3, 0.3, n)).astype(np.float32)).view(n, 1, 1, 1)
    a = torch.from_numpy(rng.uniform(0.85, 1.15, n).astype(np.float32)).view(n, 1, 1, 1)
    b = torch.from_numpy(rng.uniform(-0.08, 0.08, n).astype(np.float32)).view(n, 1, 1, 1)
    return ((x01.clamp(0, 1) ** gamma) * a + b).clamp(0, 1)
