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
# One training at a time across the team: every step takes the shared lock (a helper's small training waits).
LOCK="$LUNGLENS_RUNS/train.lock"
step() { flock "$LOCK" "$@"; }

# 0. hard-negative crops through the app's own crop code (cheap; rerun both when the app's crop changes)
[ -f "$LUNGLENS_RUNS/hard-negatives/lidc-idri-0001/slices.json" ] || npx tsx training/ct_common/hardNegativeCrops.ts 2d
[ -f "$LUNGLENS_RUNS/hard-negatives-study/lidc-idri-0001/slices.json" ] || npx tsx training/ct_common/hardNegativeCrops.ts study

# 1. CT regression v2-e5 (KL target + LIDC-IDRI-0001 2-D crops as hard negatives, 5 epochs): the recipe of the
#    model shipped on 2026-12-01 (held-out fold 1); folds 2-4 give its cross-validated spread
for f in 1 2 3 4; do
  log "ct_regression v2-e5 fold $f"
  step $PY training/ct_regression/train.py --folds $f --epochs 5 --kl --hard-neg --tag=-e5 --train-only
done
[ -f training/ct_regression/results/cv_metrics-v2-e5.json ] || step $PY training/ct_regression/train.py --cv-v2 --tag=-e5

# 2. CXR 3-class classifier, 5-fold CV on all 3,234 staged images (30 epochs each): fold 0 first (it ships:
#    `cls_cv.py eval && cls_cv.py ship --fold 0`), the other folds after the segmentation folds
log "cxr classifier CV fold 0"
step $PY training/cxr/cls_cv.py train --folds 0

# 3. CT lesion segmentation v2: 2 of every 8 samples are LIDC-IDRI-0001 lung crops with empty masks, 800
#    iterations; fold 0 = the original 10-slice hold-out (shipped), folds 1-4 give the cross-validated spread
for f in 0 1 2 3 4; do
  log "ct_segmentation v2-hn fold $f"
  step $PY training/ct_segmentation/train.py --hard-neg 2 --iters 800 --fold $f --train-only
done
step $PY training/ct_segmentation/train.py --cv

# 4. CXR segmentation + both detectors on all 3,234 images (fold 0 of the classifier's 5 folds held out),
#    then the comparison with the shipped models on the images their training never saw
#    (`seg_det_cv.py ship --kind <k>` only where `eval` says the new model is better)
if [ -f training/cxr/seg_det_cv.py ]; then
  for k in seg yolo centernet; do
    log "cxr $k on all data, fold 0"
    step $PY training/cxr/seg_det_cv.py train --kind $k --fold 0 || log "cxr $k failed"
  done
  for k in seg yolo centernet ensemble; do step $PY training/cxr/seg_det_cv.py eval --kind $k || log "cxr eval $k failed"; done
fi

# 5. the classifier's folds 1-2 (fold 2 was half done when the order changed on 2026-12-02)
log "cxr classifier CV folds 1-2"
step $PY training/cxr/cls_cv.py train --folds 1,2

# 6. CT regression v3 before the classifier's last folds: it is the one that can move an aim (MAE <= 5), the
#    classifier folds only add spread. 10 epochs, hard negatives as 2-D AND whole-series (3-D lung) crops.
for f in 1 2 3 4; do
  log "ct_regression v3 (10 epochs, study crops) fold $f"
  step $PY training/ct_regression/train.py --folds $f --epochs 10 --kl --hard-neg-study --train-only
done
step $PY training/ct_regression/train.py --cv-v2 --hard-neg-study

# 7. the classifier's folds 3-4, then the CV table on its card
log "cxr classifier CV folds 3-4"
step $PY training/cxr/cls_cv.py train
step $PY training/cxr/cls_cv.py eval
# the detector pair's spread over the classifier's folds (fold 0 is shipped); the same schedule per fold
for f in 1 2 3 4; do
  for k in yolo centernet; do
    log "cxr $k on all data, fold $f"
    step $PY training/cxr/seg_det_cv.py train --kind $k --fold $f || log "cxr $k fold $f failed"
  done
done
step $PY training/cxr/seg_det_cv.py cv --kind ensemble || log "cxr detector cv failed"
log "campaign queue done"
