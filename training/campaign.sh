#!/bin/bash
# The training campaign queue (training/PLAN.md): ONE training at a time, niced, each step resumable, so the
# same command continues the schedule in any later session on this machine:
#
#   cd <repo> && nohup nice -n 19 bash training/campaign.sh > /work/lunglens-runs/logs/campaign.log 2>&1 &
#
# A finished step is skipped (its final checkpoint exists); an interrupted one resumes after its last epoch.
# Checkpoints, caches and logs live in $LUNGLENS_RUNS (default /work/lunglens-runs), never in the work tree,
# so a later session may find none of them: a block whose result is committed (`recorded`) is skipped too.
set -euo pipefail
cd "$(dirname "$0")/.."
export LUNGLENS_RUNS="${LUNGLENS_RUNS:-/work/lunglens-runs}" TORCH_THREADS="${TORCH_THREADS:-2}" OMP_NUM_THREADS=2
PY=/usr/bin/python3
log() { echo "[$(date -u +%FT%TZ)] $*"; }
# One training at a time across the team: every step takes the shared lock (a helper's small training waits).
LOCK="$LUNGLENS_RUNS/train.lock"
step() { flock "$LOCK" "$@"; }
# recorded FILE [N]: the committed result FILE exists (and its `folds` holds N folds); recorded_fold FILE K: its
# `rows` hold fold K (seg_det_cv.py cv keeps the rows of earlier sessions)
recorded() { $PY -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(len(sys.argv) > 2 and len(d["folds"]) < int(sys.argv[2]))' "$@" 2>/dev/null; }
recorded_fold() { $PY -c 'import json, sys; sys.exit(all(r["fold"] != int(sys.argv[2]) for r in json.load(open(sys.argv[1]))["rows"]))' "$@" 2>/dev/null; }
mkdir -p "$LUNGLENS_RUNS/logs"
CLS_CV=models/cxr-classification/cv-metrics.json
DET_CV=training/cxr/results/detector-cv-e22.json  # the 2.0.0 schedule's table

# 0./1./6. CT regression: hard-negative crops through the app's own crop code (cheap; rerun both when the app's
#    crop changes); v2-e5 (KL target + LIDC-IDRI-0001 2-D crops, 5 epochs), the recipe shipped on 2026-12-01;
#    then v3 (10 epochs, hard negatives as 2-D AND whole-series crops), shipped as 3.0.0 on 2026-12-02
if ! recorded training/ct_regression/results/cv_metrics-v2-hns.json 4; then
  [ -f "$LUNGLENS_RUNS/hard-negatives/lidc-idri-0001/slices.json" ] || npx tsx training/ct_common/hardNegativeCrops.ts 2d
  [ -f "$LUNGLENS_RUNS/hard-negatives-study/lidc-idri-0001/slices.json" ] || npx tsx training/ct_common/hardNegativeCrops.ts study
  if ! recorded training/ct_regression/results/cv_metrics-v2-e5.json 4; then
    for f in 1 2 3 4; do
      log "ct_regression v2-e5 fold $f"
      step $PY training/ct_regression/train.py --folds $f --epochs 5 --kl --hard-neg --tag=-e5 --train-only
    done
    step $PY training/ct_regression/train.py --cv-v2 --tag=-e5
  fi
  for f in 1 2 3 4; do
    log "ct_regression v3 (10 epochs, study crops) fold $f"
    step $PY training/ct_regression/train.py --folds $f --epochs 10 --kl --hard-neg-study --train-only
  done
  step $PY training/ct_regression/train.py --cv-v2 --hard-neg-study
fi

# 2./5./7. CXR 3-class classifier, 5-fold CV on all 3,234 staged images (30 epochs each); fold 0 ships
#    (`cls_cv.py eval && cls_cv.py ship --fold 0`), the eval writes the CV table on its card
if ! recorded $CLS_CV 5; then
  log "cxr classifier CV"
  step $PY training/cxr/cls_cv.py train
  step $PY training/cxr/cls_cv.py eval
fi

# 3. CT lesion segmentation v2: 2 of every 8 samples are LIDC-IDRI-0001 lung crops with empty masks, 800
#    iterations; fold 0 = the original 10-slice hold-out (shipped), folds 1-4 give the cross-validated spread
if ! recorded training/ct_segmentation/results/cv_metrics.json 5; then
  for f in 0 1 2 3 4; do
    log "ct_segmentation v2-hn fold $f"
    step $PY training/ct_segmentation/train.py --hard-neg 2 --iters 800 --fold $f --train-only
  done
  step $PY training/ct_segmentation/train.py --cv
fi

# 4. CXR segmentation + both detectors on all 3,234 images (fold 0 of the classifier's 5 folds held out),
#    then the comparison with the shipped models on the images their training never saw
#    (`seg_det_cv.py ship --kind <k>` only where `eval` says the new model is better)
if ! { recorded_fold $DET_CV 0 && [ -f models/cxr-segmentation/tried-not-shipped.json ]; }; then
  for k in seg yolo centernet; do
    log "cxr $k on all data, fold 0"
    step $PY training/cxr/seg_det_cv.py train --kind $k --fold 0 || log "cxr $k failed"
  done
  for k in seg yolo centernet ensemble; do step $PY training/cxr/seg_det_cv.py eval --kind $k || log "cxr eval $k failed"; done
fi

# 8. the detector pair's spread over the classifier's folds, the same schedule per fold; `cv` after each pair
#    adds its row to the committed table (commit it: the checkpoints may not outlive the session)
for f in 1 2 3 4; do
  recorded_fold $DET_CV $f && continue
  for k in yolo centernet; do
    log "cxr $k on all data, fold $f"
    step $PY training/cxr/seg_det_cv.py train --kind $k --fold $f || log "cxr $k fold $f failed"
  done
  step $PY training/cxr/seg_det_cv.py cv || log "cxr detector cv failed"
done
# 9. a longer detector schedule (issue 11: "longer schedules ... chosen on validation folds"): 40 epochs instead of
#    22, every fold, in folders of their own; its table (training/cxr/results/detector-cv-e40.json) against the
#    22-epoch one decided that fold 0's 40-epoch pair ships (`eval`/`ship --epochs 40`: 2.1.0)
E40=training/cxr/results/detector-cv-e40.json
for f in 0 1 2 3 4; do
  recorded_fold $E40 $f && continue
  for k in yolo centernet; do
    log "cxr $k 40 epochs, fold $f"
    step $PY training/cxr/seg_det_cv.py train --kind $k --fold $f --epochs 40 || log "cxr $k e40 fold $f failed"
  done
  step $PY training/cxr/seg_det_cv.py cv --epochs 40 || log "cxr detector cv e40 failed"
done
log "campaign queue done"
