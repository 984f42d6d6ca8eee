"""Shared training utilities (CT + CXR). Import as `from training.common import ...` with the repo root on sys.path.

- `ship` (ship.py): THE ship step every trainer uses -- export -> int8 -> parity (PyTorch / ONNX fp32 / ONNX int8
  through onnxruntime-node, with the int8 cost budget) -> manifest entry with sha256, size and provenance.
- `provenance` (provenance.py): git commit, data hash, library versions; `runs_dir` (runs.py): checkpoints and
  caches outside the work tree; export / quantize / ort_node / manifest / card: the pieces ship() is made of.
"""
from .export import export_onnx
from .quantize import quantize_int8_weights
from .ort_node import run_onnx, onnx_latency_ms
from .manifest import sha256_file, file_entry, update_manifest_entry, MODELS_DIR, REPO_ROOT
from .card import md_table, write_card
from .runs import runs_dir

__all__ = ['export_onnx', 'quantize_int8_weights', 'run_onnx', 'onnx_latency_ms', 'sha256_file', 'file_entry',
           'update_manifest_entry', 'md_table', 'write_card', 'MODELS_DIR', 'REPO_ROOT', 'runs_dir']
