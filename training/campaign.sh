#!/bin/bash
# The training campaign queue (training/PLAN.md): ONE training at a time, niced, each step resumable, so the
# same command continues the schedule in any later session on this machine:
#
#   cd <repo> && nohup nice -n 19 bash training/campaign.sh > /work/lunglens-runs/logs/campaign.log 2>&1 &
#
# A finished step is skipped (its final checkpoint exists); an interrupted one resumes after its last epoch.
# Checkpoints, caches and logs live in $LUNGLENS_RUNS (default /work/lunglens-runs), never in the work tree.
set -euo pipefail
cd "$(dirname "$0")/.."
export LUNGLENS_RUNS="${LUNGLENS_RUNS:-/work/lunglens-runs}" TORCH_THREADS="${TORCH_THREADS:-2}" OMP_NUM_THREADS=2
PY=/usr/bin/python3
log() { echo "[$(date -u +%FT%TZ)] $*"; }

# 0. hard-negative crops through the app's own crop code (cheap; rerun both when the app's crop changes)
[ -f "$LUNGLENS_RUNS/hard-negatives/lidc-idri-0001/slices.json" ] || npx tsx training/ct_common/hardNegativeCrops.ts 2d
[ -f "$LUNGLENS_RUNS/hard-negatives-study/lidc-idri-0001/slices.json" ] || npx tsx training/ct_common/hardNegativeCrops.ts study

# 1. CT regression v2-e5 (KL target + LIDC-IDRI-0001 2-D crops as hard negatives, 5 epochs): the recipe of the
#    model shipped on 2026-12-01 (held-out fold 1); folds 2-4 give its cross-validated spread
for f in 1 2 3 4; do
  log "ct_regression v2-e5 fold $f"
  $PY training/ct_regression/train.py --folds $f --epochs 5 --kl --hard-neg --tag=-e5 --train-only
done
$PY training/ct_regression/train.py --cv-v2 --tag=-e5

# 2. CXR 3-class classifier, 5-fold CV on all 3,234 staged images (30 epochs each)
log "cxr classifier CV"
$PY training/cxr/cls_cv.py train
$PY training/cxr/cls_cv.py eval

# 3. CT regression v3: 10 epochs, hard negatives as 2-D AND whole-series (3-D lung) crops, every fold
for f in 1 2 3 4; do
  log "ct_regression v3 (10 epochs, study crops) fold $f"
  $PY training/ct_regression/train.py --folds $f --epochs 10 --kl --hard-neg-study --train-only
done
log "campaign queue done"
