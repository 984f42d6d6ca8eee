"""Tiny ONNX models for the runtime tests (not trained; random but seeded weights).

Writes under e2e/fixtures/runtime/:
  tiny-fp32/model.onnx       small conv net, opset 17, input image [N,1,32,32] float32,
                             outputs logits [N,3] (softmax head) and mask [N,1,16,16] (sigmoid head)
  tiny-int8/model.onnx       same net, int8 weights + per-channel DequantizeLinear (training/common/quantize.py),
                             float activations (no QLinear ops, so WebGPU keeps the graph)
  tiny-tampered/model.onnx   copy of tiny-fp32 with one byte flipped; the manifest keeps the original hash
  tiny-tfjs/model.json       hand-written TFJS graph model (Conv2D 3x3 1->4 SAME + BiasAdd + Relu, NHWC),
    + weights.bin            the TFJS engine's test model (no TF converter is installed)
  manifest.json              schema v1 manifest; also lists tiny-missing whose file does not exist
  reference.json             a fixed 32x32 8-bit input and torch's outputs for fp32 and for the
                             dequantized int8 weights (what ORT must reproduce)
Run: /usr/bin/python3 tools/testModels/make_test_models.py
"""
import hashlib
import json
import os
import shutil
import sys

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, ROOT)
from training.common.quantize import quantize_int8_weights  # noqa: E402

OUT = os.path.join(ROOT, 'e2e', 'fixtures', 'runtime')
MEAN, STD = 0.5, 0.25


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.c3 = nn.Conv2d(16, 16, 3, padding=1)
        self.head_mask = nn.Conv2d(16, 1, 1)
        self.head_cls = nn.Linear(16, 3)

    def forward(self, x):
        x = torch.relu(self.c1(x))
        x = torch.relu(self.c2(x))
        x = torch.relu(self.c3(x))
        return self.head_cls(x.mean(dim=(2, 3))), self.head_mask(x)


def make_tfjs_model():
    """Writes tiny-tfjs/{model.json,weights.bin}; returns f(x NCHW torch) -> NHWC reference output."""
    import base64
    g = torch.Generator().manual_seed(1)
    w = torch.randn(4, 1, 3, 3, generator=g) * 0.5          # torch OIHW
    b = torch.randn(4, generator=g) * 0.1
    w_hwio = w.permute(2, 3, 1, 0).contiguous()              # TF HWIO
    d = os.path.join(OUT, 'tiny-tfjs')
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'weights.bin'), 'wb') as f:
        f.write(w_hwio.numpy().astype('<f4').tobytes() + b.numpy().astype('<f4').tobytes())
    s64 = lambda t: base64.b64encode(t.encode()).decode()
    fl = {'type': 'DT_FLOAT'}
    topology = {'node': [
        {'name': 'image', 'op': 'Placeholder', 'attr': {'dtype': fl, 'shape': {'shape': {'dim': [
            {'size': '-1'}, {'size': '32'}, {'size': '32'}, {'size': '1'}]}}}},
        {'name': 'w', 'op': 'Const', 'attr': {'dtype': fl, 'value': {'tensor': {'dtype': 'DT_FLOAT', 'tensorShape': {
            'dim': [{'size': '3'}, {'size': '3'}, {'size': '1'}, {'size': '4'}]}}}}},
        {'name': 'b', 'op': 'Const', 'attr': {'dtype': fl, 'value': {'tensor': {'dtype': 'DT_FLOAT', 'tensorShape': {
            'dim': [{'size': '4'}]}}}}},
        {'name': 'conv', 'op': 'Conv2D', 'input': ['image', 'w'], 'attr': {
            'T': fl, 'strides': {'list': {'i': ['1', '1', '1', '1']}}, 'padding': {'s': s64('SAME')},
            'data_format': {'s': s64('NHWC')}, 'dilations': {'list': {'i': ['1', '1', '1', '1']}}}},
        {'name': 'biased', 'op': 'BiasAdd', 'input': ['conv', 'b'], 'attr': {'T': fl, 'data_format': {'s': s64('NHWC')}}},
        {'name': 'y', 'op': 'Relu', 'input': ['biased'], 'attr': {'T': fl}},
    ], 'versions': {'producer': 1}}
    model = {'format': 'graph-model', 'generatedBy': 'tools/testModels/make_test_models.py', 'convertedBy': None,
             'modelTopology': topology,
             'weightsManifest': [{'paths': ['weights.bin'], 'weights': [
                 {'name': 'w', 'shape': [3, 3, 1, 4], 'dtype': 'float32'}, {'name': 'b', 'shape': [4], 'dtype': 'float32'}]}]}
    with open(os.path.join(d, 'model.json'), 'w') as f:
        json.dump(model, f)

    def ref(x):
        with torch.no_grad():
            return torch.relu(torch.nn.functional.conv2d(x, w, b, padding=1)).permute(0, 2, 3, 1).contiguous()
    return ref


def tfjs_entry():
    e = entry('tiny-tfjs', 'tiny-tfjs/model.json', 'none')
    full = os.path.join(OUT, 'tiny-tfjs', 'weights.bin')
    e['format'] = 'tfjs'
    e['files'].append({'path': 'tiny-tfjs/weights.bin', 'sha256': sha(full), 'bytes': os.path.getsize(full), 'role': 'weights'})
    e['input']['layout'] = 'NHWC'
    e['outputs'] = [{'name': 'y', 'shape': [-1, 32, 32, 4], 'decode': 'logits'}]
    e['task'] = 'cxr-segmentation'
    del e['labels']
    return e


def sha(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def entry(mid, rel, quant, sha256=None, nbytes=None):
    full = os.path.join(OUT, rel)
    return {
        'id': mid, 'name': f'Runtime test model ({mid})', 'task': 'cxr-classification', 'modality': 'cxr',
        'format': 'onnx', 'version': '0.0.1', 'license': 'test fixture, random weights, no data',
        'card': 'README.md', 'quantization': quant,
        'files': [{'path': rel, 'sha256': sha256 or sha(full), 'bytes': nbytes or os.path.getsize(full), 'role': 'model'}],
        'input': {'name': 'image', 'layout': 'NCHW', 'height': 32, 'width': 32, 'channels': 1, 'dtype': 'float32',
                  'intensity': {'source': '8bit', 'scale': 1 / 255, 'mean': [MEAN], 'std': [STD]},
                  'crop': 'none', 'resize': 'bilinear-half-pixel'},
        'outputs': [{'name': 'logits', 'shape': [-1, 3], 'decode': 'softmax'},
                    {'name': 'mask', 'shape': [-1, 1, 16, 16], 'decode': 'sigmoid'}],
        'labels': ['a', 'b', 'c'],
    }


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    net = TinyNet().eval()
    for d in ('tiny-fp32', 'tiny-int8', 'tiny-tampered'):
        os.makedirs(os.path.join(OUT, d), exist_ok=True)
    fp32 = os.path.join(OUT, 'tiny-fp32', 'model.onnx')
    torch.onnx.export(net, torch.zeros(1, 1, 32, 32), fp32, input_names=['image'], output_names=['logits', 'mask'],
                      dynamic_axes={'image': {0: 'batch'}, 'logits': {0: 'batch'}, 'mask': {0: 'batch'}},
                      opset_version=17, do_constant_folding=True)
    int8 = os.path.join(OUT, 'tiny-int8', 'model.onnx')
    stats = quantize_int8_weights(fp32, int8)

    tampered = os.path.join(OUT, 'tiny-tampered', 'model.onnx')
    shutil.copyfile(fp32, tampered)
    raw = bytearray(open(tampered, 'rb').read())
    raw[len(raw) // 2] ^= 0x01  # one bit inside the weights: still a loadable model, wrong hash
    open(tampered, 'wb').write(bytes(raw))

    tfjs_ref = make_tfjs_model()

    manifest = {'schemaVersion': 1, 'models': [
        entry('tiny-fp32', 'tiny-fp32/model.onnx', 'none'),
        entry('tiny-int8', 'tiny-int8/model.onnx', 'int8-weights'),
        entry('tiny-tampered', 'tiny-tampered/model.onnx', 'none', sha(fp32), os.path.getsize(fp32)),
        entry('tiny-missing', 'tiny-missing/model.onnx', 'none', '0' * 64, 1234),
        tfjs_entry(),
    ]}
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')

    # Fixed input: a gradient plus a bright disc, 8-bit.
    yy, xx = np.mgrid[0:32, 0:32]
    img8 = np.clip(xx * 6 + yy * 2 + 120 * (((xx - 20) ** 2 + (yy - 12) ** 2) < 36), 0, 255).astype(np.uint8)
    x = torch.from_numpy(((img8.astype(np.float32) / 255 - MEAN) / STD)[None, None])
    with torch.no_grad():
        lf, mf = net(x)
        # int8 reference: same net with weights dequantized exactly as quantize.py does
        qnet = TinyNet().eval()
        qnet.load_state_dict(net.state_dict())
        for mod in (qnet.c1, qnet.c2, qnet.c3, qnet.head_mask, qnet.head_cls):
            w = mod.weight.data
            amax = w.abs().flatten(1).max(dim=1).values
            scale = torch.where(amax > 0, amax / 127.0, torch.ones_like(amax)).view(-1, *([1] * (w.dim() - 1)))
            mod.weight.data = torch.clamp(torch.round(w / scale), -127, 127) * scale
        lq, mq = qnet(x)
    ref = {'input8': img8.reshape(-1).tolist(), 'dims': [1, 1, 32, 32],
           'tiny-fp32': {'logits': lf.reshape(-1).tolist(), 'mask': mf.reshape(-1).tolist()},
           'tiny-int8': {'logits': lq.reshape(-1).tolist(), 'mask': mq.reshape(-1).tolist()},
           'tiny-tfjs': {'y': tfjs_ref(x).reshape(-1).tolist()}}
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(ref, f)
    print('quantization', stats)
    for m in manifest['models']:
        print(m['id'], m['files'][0]['bytes'], m['files'][0]['sha256'][:12])


if __name__ == '__main__':
    main()
