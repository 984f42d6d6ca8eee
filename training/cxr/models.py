"""The four compact CXR networks (all take 1x1x128x128 normalised grayscale)."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class DoubleConv(nn.Sequential):
    def __init__(self, cin: int, cout: int):
        super().__init__(conv_bn(cin, cout), conv_bn(cout, cout))


class UNet(nn.Module):
    """Compact U-Net, 2 logit channels: 0 = lung, 1 = infection (independent sigmoids)."""

    def __init__(self, ch: tuple[int, ...] = (16, 32, 64, 128)):
        super().__init__()
        self.enc = nn.ModuleList()
        cin = 1
        for c in ch:
            self.enc.append(DoubleConv(cin, c))
            cin = c
        self.dec = nn.ModuleList()
        for c_skip in reversed(ch[:-1]):
            self.dec.append(DoubleConv(cin + c_skip, c_skip))
            cin = c_skip
        self.head = nn.Conv2d(cin, 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, e in enumerate(self.enc):
            x = e(x if i == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        for d, s in zip(self.dec, reversed(skips[:-1])):
            x = F.interpolate(x, scale_factor=2.0, mode='bilinear', align_corners=False)
            x = d(torch.cat([x, s], 1))
        return self.head(x)


class Classifier(nn.Module):
    """Small VGG-like CNN, global average pooling, 3 logits."""

    def __init__(self, n_classes: int = 3, ch: tuple[int, ...] = (16, 32, 64, 96, 128)):
        super().__init__()
        layers: list[nn.Module] = []
        cin = 1
        for c in ch:
            layers += [conv_bn(cin, c), conv_bn(c, c, 2)]
            cin = c
        self.features = nn.Sequential(*layers)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(cin, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x).mean(dim=(2, 3))
        return self.fc(self.drop(x))


def backbone(ch: tuple[int, ...]) -> nn.ModuleList:
    """Stages; stage i outputs stride 2**(i+1)."""
    stages = nn.ModuleList()
    cin = 1
    for c in ch:
        stages.append(nn.Sequential(conv_bn(cin, c, 2), conv_bn(c, c)))
        cin = c
    return stages


class YoloGridDetector(nn.Module):
    """Detector A: single-shot, anchor-free YOLO-style grid at stride 16 (8x8 cells at 128 px).

    Output (1, 5, 8, 8) raw: [objectness logit, tx, ty, tw, th]. Decode (TS `yoloGridDecode.ts`):
      cx = (col + 2*sigmoid(tx) - 0.5) * stride, cy likewise, w = sigmoid(tw) * inputSize, h likewise,
      score = sigmoid(obj). The box centre may sit up to half a cell outside its cell (YOLOv5 style).
    """

    stride = 16

    def __init__(self, ch: tuple[int, ...] = (16, 32, 64, 96)):
        super().__init__()
        self.stages = backbone(ch)
        self.neck = nn.Sequential(conv_bn(ch[-1] + ch[-2], 96), conv_bn(96, 96))
        self.head = nn.Conv2d(96, 5, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = []
        for s in self.stages:
            x = s(x)
            feats.append(x)
        # add the stride-8 features, pooled, for finer localisation
        x = torch.cat([feats[-1], F.max_pool2d(feats[-2], 2)], 1)
        return self.head(self.neck(x))


class CenterNetDetector(nn.Module):
    """Detector B: anchor-free centre-point detector (CenterNet family) at stride 4 (32x32 at 128 px).

    Output (1, 5, 32, 32): [heatmap logit, offset x, offset y, w, h] where w, h are in units of the
    input size (box w = w * inputSize) and offsets in cells. Peaks: 3x3 local maxima of sigmoid(heatmap)
    (done in TS `centerNetDecode.ts`: ORT WebGPU has no NMS / TopK-friendly path we want to depend on).
    """

    stride = 4

    def __init__(self, ch: tuple[int, ...] = (16, 32, 64, 96)):
        super().__init__()
        self.stages = backbone(ch)  # strides 2, 4, 8, 16
        self.lat16 = nn.Conv2d(ch[3], 48, 1)
        self.lat8 = nn.Conv2d(ch[2], 48, 1)
        self.lat4 = nn.Conv2d(ch[1], 48, 1)
        self.smooth = nn.Sequential(conv_bn(48, 48), conv_bn(48, 48))
        self.head = nn.Conv2d(48, 5, 1)
        nn.init.constant_(self.head.bias[0], -2.19)  # prior p=0.1 for the heatmap (focal-loss practice)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = []
        for s in self.stages:
            x = s(x)
            feats.append(x)
        p = self.lat16(feats[3])
        p = F.interpolate(p, scale_factor=2.0, mode='nearest') + self.lat8(feats[2])
        p = F.interpolate(p, scale_factor=2.0, mode='nearest') + self.lat4(feats[1])
        return self.head(self.smooth(p))


def n_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())
