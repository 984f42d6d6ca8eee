"""The study-level negative control as a user gets it: `lunglens analyze <series> --json --series-only` with the
models currently in models/ (the CLI shares the app's core), reduced to the summary numbers the cards quote."""
from __future__ import annotations

import json
import os
import subprocess

from .manifest import REPO_ROOT

SERIES_ROOT = os.path.abspath(os.path.join(REPO_ROOT, '..', 'shared', 'data', 'ct-series'))
COMMAND = 'node bin/lunglens.mjs analyze ../shared/data/ct-series/<series> --json --series-only'
KEYS = ('slicesAnalysed', 'lungVolumeMl', 'lesionVolumeMl', 'infectionPercentOfLung', 'regressionPercentMean',
        'regressionPercentMax', 'severity')


def series_summary(series: str) -> dict:
    # exit status 1 = some input failed: the series folders also hold annotation XML and an ATTRIBUTION file
    run = subprocess.run(['node', 'bin/lunglens.mjs', 'analyze', os.path.join(SERIES_ROOT, series), '--json',
                          '--series-only'], cwd=REPO_ROOT, capture_output=True, text=True)
    if run.returncode not in (0, 1):
        raise RuntimeError(f'{series}: lunglens analyze exited {run.returncode}: {run.stderr[-2000:]}')
    records = [r for r in json.loads(run.stdout) if r.get('series')]
    if len(records) != 1:
        raise RuntimeError(f'{series}: expected one series record, got {len(records)}')
    s = records[0]['summary']
    return {k: s.get(k) for k in KEYS}
