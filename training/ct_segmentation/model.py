"""U-Net after seed 004: SE channel attention in every conv block (the seed's FV block with its better-scoring
SE branch), a progressive atrous spatial pyramid (PASPP) at the bottleneck, deep supervision during training.

Outputs (export): `lesion` logits (N,1,H,W) -> sigmoid = lesion probability;
                  `classes` logits (N,3,H,W) -> softmax over background / GGO / consolidation.
In training mode the forward also returns two auxiliary lesion logits from the 1/4 and 1/2 decoder levels.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class SE(nn.Module):
    def __init__(self, c: int, r: int = 4):
        super().__init__()
        self.fc1 = nn.Conv2d(c, max(4, c // r), 1)
        self.fc2 = nn.Conv2d(max(4, c // r), c, 1)

    def forward(self, x):
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean(dim=(2, 3), keepdim=True)))))


class ConvSE(nn.Module):
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))
        self.se = SE(cout)

    def forward(self, x):
        return self.se(self.body(x))


class PASPP(nn.Module):
    """Progressive ASPP: dilated branches (1,2,4,8) where each branch adds the previous one's output, so
    context is aggregated progressively; concatenated, fused by 1x1, added back to the input (residual)."""

    def __init__(self, c: int, rates=(1, 2, 4, 8)):
        super().__init__()
        b = c // 4
        self.branches = nn.ModuleList(
            nn.Sequential(nn.Conv2d(c, b, 3, 1, r, dilation=r, bias=False), nn.BatchNorm2d(b), nn.ReLU(inplace=True))
            for r in rates)
        self.fuse = nn.Sequential(nn.Conv2d(b * len(rates), c, 1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x):
        outs, prev = [], None
        for br in self.branches:
            y = br(x)
            prev = y if prev is None else y + prev
            outs.append(prev)
        return F.relu(x + self.fuse(torch.cat(outs, 1)))


class SegUNet(nn.Module):
    def __init__(self, widths=(16, 32, 64, 128, 160)):
        super().__init__()
        self.enc = nn.ModuleList()
        cin = 1
        for w in widths:
            self.enc.append(ConvSE(cin, w))
            cin = w
        self.paspp = PASPP(widths[-1])
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for i in range(len(widths) - 1, 0, -1):
            self.up.append(nn.ConvTranspose2d(widths[i], widths[i - 1], 2, 2))
            self.dec.append(ConvSE(2 * widths[i - 1], widths[i - 1]))
        self.lesion = nn.Conv2d(widths[0], 1, 1)
        self.classes = nn.Conv2d(widths[0], 3, 1)
        # deep supervision from the decoder outputs at 1/4 and 1/2 resolution
        self.aux = nn.ModuleList([nn.Conv2d(widths[2], 1, 1), nn.Conv2d(widths[1], 1, 1)])

    def forward(self, x):
        skips = []
        for i, e in enumerate(self.enc):
            x = e(x if i == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        x = self.paspp(skips.pop())
        aux = []
        n_dec = len(self.dec)
        for j, (up, dec) in enumerate(zip(self.up, self.dec)):
            x = dec(torch.cat([up(x), skips.pop()], 1))
            k = j - (n_dec - 3)  # decoder levels at 1/4 and 1/2 resolution
            if self.training and 0 <= k < 2:
                aux.append(self.aux[k](x))
        out = (self.lesion(x), self.classes(x))
        return out + tuple(aux) if self.training else out


def n_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())
