"""Run an ONNX file through onnxruntime-node (a small node script) and get numpy outputs back."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile

import numpy as np

_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ort_run.mjs')


def _run(model_path: str, feeds: dict[str, np.ndarray], latency_runs: int = 0) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        inputs = {}
        for name, arr in feeds.items():
            f = os.path.join(tmp, f'in_{name}.f32')
            np.ascontiguousarray(arr, dtype='<f4').tofile(f)
            inputs[name] = {'dims': list(arr.shape), 'file': f}
        spec = os.path.join(tmp, 'spec.json')
        with open(spec, 'w') as fh:
            json.dump({'model': os.path.abspath(model_path), 'inputs': inputs, 'outDir': tmp,
                       'latencyRuns': latency_runs}, fh)
        subprocess.run(['node', _SCRIPT, spec], check=True)
        res = json.load(open(os.path.join(tmp, 'result.json')))
        outs = {n: np.fromfile(o['file'], dtype='<f4').reshape(o['dims']) for n, o in res['outputs'].items()}
        return {'outputs': outs, 'latency': res.get('latencyMs')}


def run_onnx(model_path: str, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Outputs by name (float32) of one onnxruntime-node CPU run."""
    return _run(model_path, feeds)['outputs']


def onnx_latency_ms(model_path: str, feeds: dict[str, np.ndarray], runs: int = 20) -> dict:
    """{median, p90, runs, backend} in ms for onnxruntime-node CPU with 1 thread (machine is shared: indicative)."""
    return _run(model_path, feeds, latency_runs=runs)['latency']
