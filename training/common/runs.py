"""Where checkpoints, caches and fp32 reference exports live: outside the work tree.

The work tree is recreated between sessions, so training state goes to $LUNGLENS_RUNS (default
/work/lunglens-runs), which survives on the same machine. `training/runs` may be a symlink to it
(the parity tests look for fp32 references there)."""
from __future__ import annotations

import os


def runs_dir(*parts: str) -> str:
    """Absolute path under the runs root; the directory (not the leaf file) is created."""
    root = os.environ.get('LUNGLENS_RUNS', '/work/lunglens-runs')
    path = os.path.join(root, *parts)
    os.makedirs(path if not os.path.splitext(path)[1] else os.path.dirname(path), exist_ok=True)
    return path
