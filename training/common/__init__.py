"""Shared training utilities (CT + CXR): ONNX export, int8 weight quantization, ONNX checks through
onnxruntime-node, manifest entries and model-card helpers. Import as `from training.common import ...`
with the repo root on sys.path."""
from .export import export_onnx
from .quantize import quantize_int8_weights
from .ort_node import run_onnx, onnx_latency_ms
from .manifest import sha256_file, file_entry, update_manifest_entry, MODELS_DIR, REPO_ROOT
from .card import md_table, write_card

__all__ = ['export_onnx', 'quantize_int8_weights', 'run_onnx', 'onnx_latency_ms', 'sha256_file', 'file_entry',
           'update_manifest_entry', 'md_table', 'write_card', 'MODELS_DIR', 'REPO_ROOT']
