"""PyTorch -> ONNX (opset 17) with a static C x H x W input and an optionally dynamic batch."""
from __future__ import annotations

import onnx
import torch


def export_onnx(model: torch.nn.Module, path: str, input_name: str, chw: tuple[int, int, int],
                output_names: list[str], dynamic_batch: bool = True, opset: int = 17) -> onnx.ModelProto:
    """Exports `model` (put in eval mode here) and returns the checked ONNX model.

    The input is `input_name` float32 [N, C, H, W] with N dynamic when `dynamic_batch`; every output gets a
    dynamic first axis too. BatchNorm is folded into the convolutions by the exporter (eval mode)."""
    model = model.eval()
    dummy = torch.zeros(1, *chw)
    axes = None
    if dynamic_batch:
        axes = {input_name: {0: 'batch'}, **{n: {0: 'batch'} for n in output_names}}
    with torch.no_grad():
        torch.onnx.export(model, dummy, path, input_names=[input_name], output_names=output_names,
                          dynamic_axes=axes, opset_version=opset, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return m
