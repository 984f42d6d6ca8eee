"""Weight-only int8 quantization written with the `onnx` package (no onnxruntime in Python).

Every float initializer used as the weight of a Conv / ConvTranspose / Gemm is replaced by
    int8 weight --DequantizeLinear(scale[c], zero_point[c]=0, axis=<output-channel axis>)--> float weight
with symmetric per-output-channel scales (max|w| / 127). Activations stay float, so no QLinear* ops
appear and the WebGPU execution provider can keep the whole graph on the GPU. The output-channel axis is
0 for Conv and for Gemm with transB=1 (how torch exports nn.Linear), 1 for ConvTranspose ([Cin, Cout/g, kh, kw])
and for Gemm with transB=0.
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper


def _out_axis(node: onnx.NodeProto) -> int:
    if node.op_type == 'ConvTranspose':
        return 1
    if node.op_type == 'Gemm':
        trans_b = next((a.i for a in node.attribute if a.name == 'transB'), 0)
        return 0 if trans_b else 1
    return 0


def quantize_int8_weights(src: str, dst: str, min_elements: int = 0) -> dict:
    """Writes the int8-weight model to `dst`; returns stats (count, max relative error per tensor)."""
    model = onnx.load(src)
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    # weight name -> axis, checking that every consumer agrees on the axis
    targets: dict[str, int] = {}
    for node in g.node:
        if node.op_type in ('Conv', 'ConvTranspose', 'Gemm') and len(node.input) > 1 and node.input[1] in inits:
            w = inits[node.input[1]]
            if w.data_type != onnx.TensorProto.FLOAT:
                continue
            axis = _out_axis(node)
            if targets.get(w.name, axis) != axis:
                raise ValueError(f'{w.name} used with different output axes')
            targets[w.name] = axis
    stats = {'quantized': 0, 'skipped_small': 0, 'max_rel_err': 0.0, 'float_bytes': 0, 'int8_bytes': 0}
    new_nodes, new_inits = [], []
    for name, axis in targets.items():
        w = numpy_helper.to_array(inits[name]).astype(np.float32)
        if w.size < min_elements:
            stats['skipped_small'] += 1
            continue
        red = tuple(i for i in range(w.ndim) if i != axis)
        amax = np.abs(w).max(axis=red)
        scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
        bshape = [1] * w.ndim
        bshape[axis] = -1
        q = np.clip(np.round(w / scale.reshape(bshape)), -127, 127).astype(np.int8)
        deq = q.astype(np.float32) * scale.reshape(bshape)
        rel = float(np.abs(deq - w).max() / max(float(np.abs(w).max()), 1e-12))
        stats['max_rel_err'] = max(stats['max_rel_err'], rel)
        stats['quantized'] += 1
        stats['float_bytes'] += w.nbytes
        stats['int8_bytes'] += q.nbytes + scale.nbytes * 2
        g.initializer.remove(inits[name])
        new_inits += [numpy_helper.from_array(q, name + '_q'),
                      numpy_helper.from_array(scale, name + '_scale'),
                      numpy_helper.from_array(np.zeros_like(q, shape=scale.shape), name + '_zp')]
        new_nodes.append(helper.make_node('DequantizeLinear', [name + '_q', name + '_scale', name + '_zp'], [name],
                                          name=name + '_dequant', axis=axis))
    g.initializer.extend(new_inits)
    # DequantizeLinear nodes first keeps the graph topologically sorted
    old = list(g.node)
    del g.node[:]
    g.node.extend(new_nodes + old)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return stats
