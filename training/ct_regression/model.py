"""Compact two-head regressor after seed 000 (Miron & Breaban), shrunk for CPU training and a ~1 MB int8 file.

Backbone: small residual CNN with squeeze-excitation (channel attention, a cheap stand-in for ResNeSt's
split attention) and the seed's "hybrid pooling" (global average ++ global max). Heads as in the seed:
  f1 = Linear(feat, 101) -> softmax -> expectation sum_i i*p_i  ("percent_bins", exported as logits)
  f2 = Linear(101, 1) on f1's logits                           ("percent_linear")
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

N_BINS = 101


class SE(nn.Module):
    def __init__(self, c: int, r: int = 8):
        super().__init__()
        self.fc1 = nn.Conv2d(c, max(8, c // r), 1)
        self.fc2 = nn.Conv2d(max(8, c // r), c, 1)

    def forward(self, x):
        s = x.mean(dim=(2, 3), keepdim=True)
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(s))))


class Block(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.se = SE(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = self.se(self.b2(self.c2(y)))
        return F.relu(y + (x if self.short is None else self.short(x)))


class TwoHeadRegressor(nn.Module):
    def __init__(self, widths=(24, 48, 96, 160)):
        super().__init__()
        w0 = widths[0]
        self.stem = nn.Sequential(nn.Conv2d(1, w0, 3, 2, 1, bias=False), nn.BatchNorm2d(w0), nn.ReLU(inplace=True))
        layers, cin = [], w0
        for i, w in enumerate(widths):
            layers += [Block(cin, w, 1 if i == 0 else 2), Block(w, w, 1)]
            cin = w
        self.features = nn.Sequential(*layers)
        self.drop = nn.Dropout(0.2)
        self.f1 = nn.Linear(2 * cin, N_BINS)
        self.f2 = nn.Linear(N_BINS, 1)
        self.register_buffer('bins', torch.arange(N_BINS, dtype=torch.float32))

    def forward(self, x):
        """Returns (percent_linear (N,1), percent_bins logits (N,101))."""
        h = self.features(self.stem(x))
        h = torch.cat([h.mean(dim=(2, 3)), h.amax(dim=(2, 3))], 1)
        logits = self.f1(self.drop(h))
        return self.f2(logits), logits

    def expectation(self, logits):
        return (torch.softmax(logits, 1) * self.bins).sum(1, keepdim=True)


def n_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())
