"""The one ship step every trainer uses: export -> quantize -> parity -> manifest (+ provenance).

    result = ship(ShipSpec(...))

1. export the PyTorch model to fp32 ONNX (kept outside the work tree: reference for parity, not bundled);
2. int8 per-channel weights (`quantize_int8_weights`) into models/<id>/model.int8.onnx, the smallest tensors
   kept float on a retry when full int8 is over budget;
3. run PyTorch, ONNX fp32 and ONNX int8 (onnxruntime-node, the CLI's runtime) on the held-out inputs,
   score all three with the trainer's own metric, and REFUSE to ship when int8 costs more than the
   trainer's budget against fp32 (issue 11: 0.1 MAE / 0.005 Dice), leaving the shipped file untouched;
4. stamp provenance (git commit, data hash, library versions, schedule) into the ONNX metadata and the
   manifest entry (`extra.provenance`), then write the manifest entry with the file's sha256 and size.
Card text and parity fixtures differ per model: the trainer writes them from the returned result.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from .export import export_onnx
from .manifest import MODELS_DIR, file_entry, sha256_file, update_manifest_entry
from .ort_node import onnx_latency_ms, run_onnx
from .provenance import provenance, stamp_onnx
from .quantize import quantize_int8_weights

Outputs = dict[str, np.ndarray]


class Int8TooCostly(RuntimeError):
    pass


@dataclass
class Int8Budget:
    metric: str            # key of the score dict
    max_cost: float        # largest allowed worsening of int8 vs fp32
    higher_is_better: bool


@dataclass
class ShipSpec:
    model_id: str
    model: torch.nn.Module
    input_name: str
    chw: tuple[int, int, int]
    output_names: list[str]
    fp32_path: str                       # outside the work tree
    heldout_inputs: np.ndarray           # (N, C, H, W) float32, exactly what the app feeds
    score: Callable[[Outputs], dict]     # outputs on heldout_inputs -> metrics
    budget: Int8Budget
    entry: dict                          # manifest entry without `files` (filled here)
    data_paths: list[str]                # hashed into the provenance
    training: dict = field(default_factory=dict)  # schedule, wall time, hardware: kept with the file
    batch: int = 64
    models_dir: str = MODELS_DIR         # the bundle: models/<id>/ and models/manifest.json

    @property
    def int8_rel(self) -> str:
        return f'{self.model_id}/model.int8.onnx'

    @property
    def int8_path(self) -> str:
        return os.path.join(self.models_dir, self.int8_rel)


def torch_outputs(model: torch.nn.Module, x: np.ndarray, names: list[str], batch: int = 64) -> Outputs:
    model.eval()
    parts: list[tuple] = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            o = model(torch.from_numpy(np.ascontiguousarray(x[i:i + batch])))
            parts.append(o if isinstance(o, tuple) else (o,))
    return {n: np.concatenate([p[k].numpy() for p in parts]) for k, n in enumerate(names)}


def onnx_outputs(path: str, input_name: str, x: np.ndarray, batch: int = 256) -> Outputs:
    parts = [run_onnx(path, {input_name: x[i:i + batch]}) for i in range(0, len(x), batch)]
    return {n: np.concatenate([p[n] for p in parts]) for n in parts[0]}


def int8_cost(fp32: dict, int8: dict, budget: Int8Budget) -> float:
    d = int8[budget.metric] - fp32[budget.metric]
    return -d if budget.higher_is_better else d


# Weight tensors below this many elements stay float on a retry: the stem and the 1x1 output heads are the
# smallest layers and the ones where int8 rounding moves the outputs most; they cost a few kB in float.
KEEP_FLOAT_RETRIES = (0, 1024, 4096)


def quantize_within_budget(spec: ShipSpec, x: np.ndarray, fp32_score: dict) -> tuple[dict, Outputs, dict, float]:
    """Quantizes into a temporary file and moves it over the bundled model only when int8 is within budget,
    so a refused export leaves the shipped model in place. Retries keep the smallest tensors float.
    Returns the quantization stats, the int8 outputs on x, their score and the cost against fp32."""
    tmp = spec.int8_path + '.candidate'
    try:
        for min_elements in KEEP_FLOAT_RETRIES:
            qstats = quantize_int8_weights(spec.fp32_path, tmp, min_elements=min_elements)
            out = onnx_outputs(tmp, spec.input_name, x)
            score = spec.score(out)
            cost = int8_cost(fp32_score, score, spec.budget)
            if cost <= spec.budget.max_cost:
                os.replace(tmp, spec.int8_path)
                return {**qstats, 'min_elements': min_elements}, out, score, cost
            print(f'{spec.model_id}: int8 (float below {min_elements} elements) costs {cost:.4f} '
                  f'{spec.budget.metric}', flush=True)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    raise Int8TooCostly(f'{spec.model_id}: int8 costs {cost:.4f} {spec.budget.metric} vs fp32 '
                        f'(budget {spec.budget.max_cost}) even with tensors under {KEEP_FLOAT_RETRIES[-1]} '
                        'elements kept float; the shipped model is unchanged')


def ship(spec: ShipSpec) -> dict:
    os.makedirs(os.path.dirname(spec.fp32_path), exist_ok=True)
    os.makedirs(os.path.dirname(spec.int8_path), exist_ok=True)
    export_onnx(spec.model, spec.fp32_path, spec.input_name, spec.chw, spec.output_names)
    x = spec.heldout_inputs.astype(np.float32)
    raw = {'pytorch_fp32': torch_outputs(spec.model, x, spec.output_names, spec.batch),
           'onnx_fp32': onnx_outputs(spec.fp32_path, spec.input_name, x)}
    scores = {k: spec.score(v) for k, v in raw.items()}
    qstats, raw['onnx_int8'], scores['onnx_int8'], cost = quantize_within_budget(spec, x, scores['onnx_fp32'])
    prov = provenance(spec.data_paths, spec.training)
    stamp_onnx(spec.int8_path, {'lunglens.' + k: v for k, v in prov.items()})
    entry = dict(spec.entry)
    entry['files'] = [file_entry(spec.int8_rel, models_dir=spec.models_dir)]
    entry['extra'] = {**entry.get('extra', {}), 'provenance': prov}
    update_manifest_entry(entry, os.path.join(spec.models_dir, 'manifest.json'))
    return {
        'model_id': spec.model_id, 'params': int(sum(p.numel() for p in spec.model.parameters())),
        'quantization': qstats, 'heldout': scores,
        'int8_cost': {'metric': spec.budget.metric, 'cost': cost, 'budget': spec.budget.max_cost},
        'max_abs_diff_vs_pytorch': {
            v: {n: float(np.abs(raw[v][n] - raw['pytorch_fp32'][n]).max()) for n in spec.output_names}
            for v in ('onnx_fp32', 'onnx_int8')},
        'latency_ms_int8': onnx_latency_ms(spec.int8_path, {spec.input_name: x[:1]}, runs=30),
        'files': {'int8': {'path': spec.int8_rel, 'bytes': os.path.getsize(spec.int8_path),
                           'sha256': sha256_file(spec.int8_path)},
                  'fp32': {'bytes': os.path.getsize(spec.fp32_path), 'sha256': sha256_file(spec.fp32_path)}},
        'provenance': prov,
    }
