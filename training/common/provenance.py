"""Where a shipped model came from: git commit, a hash of the training data, library versions, hardware.

Stored in the manifest entry (`extra.provenance`), in the ONNX file's metadata_props and in the model's
results/shipped.json, so a model file can be traced back to the code and data that made it."""
from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys

from .manifest import REPO_ROOT


def git_commit() -> str:
    """HEAD commit, with '+dirty' when tracked files under training/ differ from it (uncommitted code)."""
    try:
        head = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=REPO_ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--', 'training'], cwd=REPO_ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ('+dirty' if dirty else '')
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'


def data_hash(paths: list[str]) -> str:
    """sha256 over the sorted relative paths and bytes of every file (directories are walked)."""
    files: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            files += [os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs]
        else:
            files.append(p)
    h = hashlib.sha256()
    for f in sorted(set(files)):
        h.update(os.path.relpath(f, os.path.dirname(REPO_ROOT)).encode() + b'\0')
        with open(f, 'rb') as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b''):
                h.update(chunk)
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    import numpy
    import onnx
    import torch
    return {'python': platform.python_version(), 'torch': torch.__version__, 'onnx': onnx.__version__,
            'numpy': numpy.__version__}


def provenance(data_paths: list[str], training: dict | None = None) -> dict:
    """`training`: what the card also states (schedule, wall time, hardware), kept with the file."""
    out = {'gitCommit': git_commit(), 'dataSha256': data_hash(data_paths),
           'data': [os.path.relpath(p, os.path.dirname(REPO_ROOT)) for p in data_paths],
           'libraries': library_versions(), 'platform': f'{platform.machine()} {sys.platform}, {os.cpu_count()} CPUs'}
    if training:
        out['training'] = training
    return out


def stamp_onnx(path: str, info: dict) -> None:
    """Writes `info` (flattened to strings) into the ONNX file's metadata_props."""
    import json

    import onnx
    m = onnx.load(path)
    del m.metadata_props[:]
    for k, v in info.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v if isinstance(v, str) else json.dumps(v, sort_keys=True)
    onnx.save(m, path)
