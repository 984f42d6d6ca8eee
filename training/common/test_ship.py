"""The shared ship step on a tiny model, in a temporary models/ folder (never the repo's bundle).
Run: /usr/bin/python3 -m unittest training/common/test_ship.py (from the repo root; needs torch, onnx, node)."""
from __future__ import annotations

import json
import os
import sys
import tempfile
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))
from training.common.manifest import sha256_file  # noqa: E402
from training.common.ship import Int8Budget, Int8TooCostly, ShipSpec, ship  # noqa: E402


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.fc = torch.nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean(dim=(2, 3)))


def spec(tmp: str, budget: float) -> ShipSpec:
    x = np.random.default_rng(0).normal(size=(6, 1, 8, 8)).astype(np.float32)
    data = os.path.join(tmp, 'data.csv')
    with open(data, 'w') as f:
        f.write('a,b\n1,2\n')
    entry = {'id': 'tiny', 'name': 'tiny', 'task': 't', 'modality': 'ct', 'format': 'onnx', 'version': '0.0.1',
             'license': 'test', 'card': 'tiny/CARD.md', 'input': {'name': 'image'},
             'outputs': [{'name': 'logits', 'shape': [-1, 2], 'decode': 'softmax'}], 'extra': {'k': 1}}
    return ShipSpec(model_id='tiny', model=Tiny(), input_name='image', chw=(1, 8, 8), output_names=['logits'],
                    fp32_path=os.path.join(tmp, 'fp32', 'tiny.onnx'), heldout_inputs=x,
                    score=lambda o: {'mean_logit': float(o['logits'].mean())},
                    budget=Int8Budget('mean_logit', budget, higher_is_better=True), entry=entry,
                    data_paths=[data], training={'epochs': 1}, models_dir=os.path.join(tmp, 'models'))


class ShipTest(unittest.TestCase):
    def test_ships_int8_with_manifest_entry_and_provenance(self):
        with tempfile.TemporaryDirectory() as tmp:
            s = spec(tmp, budget=1.0)
            os.makedirs(s.models_dir)
            with open(os.path.join(s.models_dir, 'manifest.json'), 'w') as f:
                json.dump({'schemaVersion': 1, 'models': [{'id': 'other', 'keep': True}]}, f)
            res = ship(s)
            manifest = json.load(open(os.path.join(s.models_dir, 'manifest.json')))
            self.assertEqual([m['id'] for m in manifest['models']], ['other', 'tiny'])  # others untouched
            e = manifest['models'][1]
            self.assertEqual(e['files'][0]['sha256'], sha256_file(s.int8_path))
            self.assertEqual(e['files'][0]['bytes'], os.path.getsize(s.int8_path))
            self.assertEqual(e['extra']['k'], 1)
            prov = e['extra']['provenance']
            self.assertEqual(set(prov) >= {'gitCommit', 'dataSha256', 'libraries', 'training'}, True)
            self.assertRegex(prov['dataSha256'], '^[0-9a-f]{64}$')
            self.assertEqual(prov['libraries']['torch'], torch.__version__)
            # ONNX fp32 reproduces PyTorch; int8 stays close on this tiny net
            self.assertLess(res['max_abs_diff_vs_pytorch']['onnx_fp32']['logits'], 1e-4)
            self.assertLess(res['max_abs_diff_vs_pytorch']['onnx_int8']['logits'], 0.05)
            import onnx
            meta = {p.key: p.value for p in onnx.load(s.int8_path).metadata_props}
            self.assertEqual(meta['lunglens.dataSha256'], prov['dataSha256'])  # strings stored as is
            self.assertEqual(json.loads(meta['lunglens.training']), {'epochs': 1})

    def test_refuses_int8_that_costs_more_than_the_budget(self):
        with tempfile.TemporaryDirectory() as tmp:
            s = spec(tmp, budget=-1.0)  # any int8 result "costs" more than -1: must refuse and leave nothing
            with self.assertRaises(Int8TooCostly):
                ship(s)
            self.assertFalse(os.path.exists(s.int8_path))
            self.assertFalse(os.path.exists(os.path.join(s.models_dir, 'manifest.json')))

    def test_a_refused_export_leaves_the_shipped_model_in_place(self):
        with tempfile.TemporaryDirectory() as tmp:
            s = spec(tmp, budget=-1.0)
            os.makedirs(os.path.dirname(s.int8_path))
            with open(s.int8_path, 'wb') as f:
                f.write(b'shipped')
            with self.assertRaises(Int8TooCostly):
                ship(s)
            self.assertEqual(open(s.int8_path, 'rb').read(), b'shipped')
            self.assertEqual(os.listdir(os.path.dirname(s.int8_path)), ['model.int8.onnx'])

    def test_keeps_small_tensors_float_when_full_int8_is_over_budget(self):
        with tempfile.TemporaryDirectory() as tmp:
            s = spec(tmp, budget=1.0)
            x = s.heldout_inputs
            with torch.no_grad():
                ref = s.model(torch.from_numpy(x)).numpy()
            # distance from PyTorch: fp32 ONNX ~1e-7, any int8 weight rounding far more than the 1e-5 budget
            s.score = lambda o: {'closeness': -float(np.abs(o['logits'] - ref).max())}
            s.budget = Int8Budget('closeness', 1e-5, higher_is_better=True)
            res = ship(s)
            self.assertGreater(res['quantization']['min_elements'], 0)
            self.assertEqual(res['quantization']['quantized'], 0)  # Tiny's tensors are all small
            self.assertLess(res['int8_cost']['cost'], 1e-5)


if __name__ == '__main__':
    unittest.main()
