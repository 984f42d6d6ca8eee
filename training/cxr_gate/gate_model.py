"""A small convolutional autoencoder (Chester-style input gate, Cohen et al. 2019) and its two scores.

64x64 grey -> 4x4x16 code (256 numbers, 16x fewer than the input) -> 64x64 grey. Trained on real
radiographs only, it reconstructs them well and other images worse. Two out-of-distribution scores:
 - the mean squared reconstruction error (in the models' normalised units), Chester's score;
 - the code's Mahalanobis distance to the training radiographs' codes (mean over the 256 dimensions):
   smooth simple images (blobs, gradients, lung-cropped CT) that an autoencoder reconstructs well still
   land far from where radiographs sit in code space.
The exported graph outputs both, `scores` [N, 2], so the app only compares them with the manifest's thresholds.
"""
from __future__ import annotations

import torch
import torch.nn as nn


def _down(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=2, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def _up(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class GateAutoencoder(nn.Module):
    def __init__(self, width: int = 8, code_channels: int = 16):
        super().__init__()
        w1, w2, w3 = width, 2 * width, 4 * width
        self.encoder = nn.Sequential(_down(1, w1), _down(w1, w2), _down(w2, w3),
                                     nn.Conv2d(w3, code_channels, 3, stride=2, padding=1))
        self.decoder = nn.Sequential(_up(code_channels, w3), _up(w3, w2), _up(w2, w1),
                                     nn.ConvTranspose2d(w1, 1, 4, stride=2, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


class GateScore(nn.Module):
    """x [N, 1, 64, 64] (normalised) -> [N, 2]: reconstruction error, code Mahalanobis distance / dim.

    `whiten` maps a code z to L^T (z - mean) / sqrt(dim), L the Cholesky factor of the (shrunk) inverse
    covariance of the training codes, so its squared norm is the distance; a Linear layer (Gemm) so the
    shared int8 step quantizes it like any weight."""

    def __init__(self, ae: GateAutoencoder, mean: torch.Tensor, chol_precision: torch.Tensor):
        super().__init__()
        self.ae = ae
        dim = mean.numel()
        w = chol_precision.T / dim ** 0.5
        self.whiten = nn.Linear(dim, dim)
        with torch.no_grad():
            self.whiten.weight.copy_(w)
            self.whiten.bias.copy_(-(w @ mean))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # products and means only (Sub, Mul, ReduceMean/Sum, Gemm): ops every engine and the TFJS
        # converter (tools/onnx2tfjs) have
        code = self.ae.encoder(x)
        d = self.ae.decoder(code) - x
        recon = (d * d).mean(dim=(2, 3))
        u = self.whiten(code.flatten(1))
        latent = (u * u).sum(dim=1, keepdim=True)
        return torch.cat([recon, latent], dim=1)


def code_statistics(codes: torch.Tensor, shrink: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and Cholesky factor of the inverse of the shrunk covariance (Ledoit-Wolf-style towards a
    scaled identity: 256 dimensions from ~2,000 images need it) of training codes [N, dim]."""
    z = codes.double()
    mean = z.mean(0)
    c = torch.cov(z.T)
    c = (1 - shrink) * c + shrink * torch.trace(c) / c.shape[0] * torch.eye(c.shape[0], dtype=z.dtype)
    return mean.float(), torch.linalg.cholesky(torch.linalg.inv(c)).float()
