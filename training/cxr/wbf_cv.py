"""WBF's own settings (cluster IoU, NMS after fusion, model weights) chosen by nested cross-validation.

    /usr/bin/python3 training/cxr/wbf_cv.py

The seed's WBF settings (IoU 0.55, weights 1:1, NMS 0.55 after) were taken a priori. This scores a small grid of
settings on every finished detector fold pair of the shipped pair's schedule (PyTorch fp32 fold models, each on
its own held-out fold) and estimates what CHOOSING a setting is worth without choosing on the fold it is scored
on: for each fold k, the setting with the best mean WBF mAP@0.5 over the other folds is scored on k (nested CV).
The app adopts the setting that is best over all folds only if the nested estimate beats the seed's settings by
more than ADOPT_GAIN; either way models/cxr-detector-yolo/wbf-cv.json records it and the detector cards state it.
When the shipped pair's own hold-out (its card's fold) took no part in the choice (its fold models missing on this
machine), the shipped int8 models are scored there with the seed's and the chosen setting, as a last check.
"""
from __future__ import annotations

import json
import os
import pickle
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))
import cls_cv  # noqa: E402
import data  # noqa: E402
import det_post  # noqa: E402
import det_task  # noqa: E402
import run  # noqa: E402
import seg_det_cv as cv  # noqa: E402
from training.common.ort_node import run_onnx  # noqa: E402

SEED_SETTING = (det_post.WBF_IOU, det_post.WBF_IOU, (1.0, 1.0))  # (cluster IoU, NMS IoU after or None, weights A:B)
GRID = [(iou, nms, w) for iou in (0.4, 0.5, 0.55, 0.6, 0.7) for nms in (iou, None)
        for w in ((1.0, 1.0), (2.0, 1.0), (1.0, 2.0))]
ADOPT_GAIN = 0.005  # the int8 budget: smaller gains are within what quantization moves
OUT = os.path.join(run.MODELS_DIR, run.KINDS['yolo']['id'], 'wbf-cv.json')


def shipped_schedule() -> int:
    """The shipped pair's epochs: its schedule's fold models are the ones the settings are chosen on."""
    return cv.shipped_info('yolo', run.MODELS_DIR)['epochs']


def fold_detections(ds: data.Dataset, k: int, epochs: int) -> tuple[list, list, list]:
    """(A boxes, B boxes, ground truth) per held-out image of fold k, cached next to the fold models."""
    path = os.path.join(cv.CV_DIR, f'detections-e{epochs}-fold{k}.pkl')
    ckpts = [os.path.join(cv.fold_dir(c, k, epochs), 'last.ckpt') for c in cv.DETECTORS]
    if os.path.exists(path) and all(os.path.getmtime(path) > os.path.getmtime(p) for p in ckpts):
        return pickle.load(open(path, 'rb'))
    _, ho = cv.fold_split(ds, k)
    x = run.model_input(ds.images[ho])
    res = pair_detections({c: run.torch_raw(cv.load_fold_model(c, k, epochs), x) for c in cv.DETECTORS}, ds, ho)
    with open(path, 'wb') as f:
        pickle.dump(res, f)
    return res


def shipped_detections(ds: data.Dataset) -> tuple[int, tuple[list, list, list]]:
    """The shipped int8 pair on its card's hold-out fold (ensemble-metrics.json `heldOutFold`)."""
    k = int(json.load(open(os.path.join(run.MODELS_DIR, run.KINDS['yolo']['id'], 'ensemble-metrics.json')))['heldOutFold'])
    _, ho = cv.fold_split(ds, k)
    x = run.model_input(ds.images[ho])
    return k, pair_detections({c: run_onnx(run.paths(c)['int8'], {'image': x})['head'] for c in cv.DETECTORS}, ds, ho)


def pair_detections(raw: dict[str, np.ndarray], ds: data.Dataset, ho: np.ndarray) -> tuple[list, list, list]:
    return (det_task.detections_256('yolo', raw['yolo']), det_task.detections_256('centernet', raw['centernet']),
            [ds.boxes[i] for i in ho])


def score(dets: tuple[list, list, list], setting: tuple) -> float:
    iou, nms, w = setting
    a, b, gts = dets
    return det_post.average_precision([det_post.wbf([x, y], iou, nms, w) for x, y in zip(a, b)], gts)


def shipped_check(ds: data.Dataset, folds: list[int], best: tuple) -> dict | None:
    k, dets = shipped_detections(ds)
    if k in folds:  # its fold took part in the choice: no untouched check left
        return None
    return {'fold': k, 'models': 'shipped int8 (onnxruntime-node)', 'map50_wbf_seed_setting': score(dets, SEED_SETTING),
            'map50_wbf_best_setting': score(dets, best)}


def spread(values: list[float]) -> dict:
    return {'mean': float(np.mean(values)), 'sd': float(np.std(values, ddof=1))}


def describe(setting: tuple) -> dict:
    iou, nms, w = setting
    return {'iou': iou, 'nms_iou_after': nms, 'weights': list(w)}


def main() -> None:
    torch.set_num_threads(cv.THREADS)
    ds = data.load_dataset()
    epochs = shipped_schedule()
    folds = [k for k in range(cls_cv.N_FOLDS) if all(cv.last_epoch(c, k, epochs) >= epochs for c in cv.DETECTORS)]
    if len(folds) < 3:
        raise SystemExit(f'nested CV needs >= 3 finished detector fold pairs, have {folds}')
    table = {}  # setting index -> fold -> mAP
    for k in folds:
        dets = fold_detections(ds, k, epochs)
        for i, s in enumerate(GRID):
            table.setdefault(i, {})[k] = score(dets, s)
        print(f'fold {k}: seed setting {table[GRID.index(SEED_SETTING)][k]:.3f}, best {max(t[k] for t in table.values()):.3f}',
              flush=True)
    seed_i = GRID.index(SEED_SETTING)
    nested = []
    for k in folds:
        inner = max(table, key=lambda i: np.mean([table[i][j] for j in folds if j != k]))
        nested.append({'fold': k, 'chosen': describe(GRID[inner]), 'map50_wbf': table[inner][k],
                       'map50_wbf_seed_setting': table[seed_i][k]})
    best = max(table, key=lambda i: np.mean([table[i][j] for j in folds]))
    seed, chosen = spread([table[seed_i][k] for k in folds]), spread([r['map50_wbf'] for r in nested])
    gain = chosen['mean'] - seed['mean']
    res = {'epochs': epochs, 'folds': folds, 'grid_size': len(GRID), 'adopt_gain': ADOPT_GAIN,
           'seed_setting': describe(SEED_SETTING), 'seed_setting_map50': seed,
           'nested': nested, 'nested_map50': chosen, 'nested_gain': gain, 'best_over_all_folds': describe(GRID[best]),
           'adopt': gain > ADOPT_GAIN and GRID[best] != SEED_SETTING,
           'shipped_pair': shipped_check(ds, folds, GRID[best]),
           'grid': [{**describe(s), 'per_fold': {str(k): table[i][k] for k in folds},
                     'mean': float(np.mean(list(table[i].values())))} for i, s in enumerate(GRID)]}
    with open(OUT, 'w') as f:
        json.dump(res, f, indent=1)
    print(json.dumps({k: v for k, v in res.items() if k != 'grid'}, indent=1))


if __name__ == '__main__':
    main()
