"""Test-time horizontal flip (issue 11: "if it helps on the validation folds") for the shipped CXR models.

    /usr/bin/python3 training/cxr/flip_tta.py

Runs each shipped int8 model (onnxruntime-node, as the CLI) on its card's hold-out images as they are and
mirrored left-right, merges the two (classifier: mean softmax; segmentation: mean logits after mirroring back;
detectors: the mirrored boxes of A and B join WBF as two more box lists) and scores both ways with the card's
metric. Writes models/<id>/flip-tta.json, which the card states (training/cxr/cards.py). A flip doubles the
model's inference, so it is worth adopting only for a clear gain (>= ADOPT_GAIN, four times the int8 budget);
none of the shipped CXR models reaches it, so the app runs each model once, as the CT models (their card).
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))
import data  # noqa: E402
import det_post  # noqa: E402
import det_task  # noqa: E402
from run import KINDS, MODELS_DIR, card_holdout, metrics_from_raw, model_input, paths  # noqa: E402
from training.common.ort_node import run_onnx  # noqa: E402

SOURCE = 256  # detections_256 boxes are on the 256-px source grid
ADOPT_GAIN = 0.02


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def heads(kind: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The model's raw output on x and on x mirrored."""
    out = KINDS[kind]['output']
    return (run_onnx(paths(kind)['int8'], {'image': x})[out],
            run_onnx(paths(kind)['int8'], {'image': np.ascontiguousarray(x[..., ::-1])})[out])


def unmirror_boxes(boxes: list[np.ndarray]) -> list[np.ndarray]:
    out = []
    for b in boxes:
        b = b.copy()
        b[:, 0] = SOURCE - b[:, 0] - b[:, 2]
        out.append(b)
    return out


def single(kind: str, ds: data.Dataset, idx: np.ndarray, metric: str) -> dict:
    raw, raw_m = heads(kind, model_input(ds.images[idx]))
    if kind == 'cls':  # argmax of the mean probability; metrics_from_raw takes argmax, log keeps the order
        merged = np.log(0.5 * (softmax(raw) + softmax(raw_m)))
    else:
        merged = 0.5 * (raw + raw_m[..., ::-1])
    return {'metric': metric, 'plain': metrics_from_raw(kind, raw, ds, idx)[metric],
            'flip_merged': metrics_from_raw(kind, merged, ds, idx)[metric]}


def detectors(ds: data.Dataset, idx: np.ndarray) -> dict:
    x = model_input(ds.images[idx])
    gts = [ds.boxes[i] for i in idx]
    boxes = {}
    for kind in ('yolo', 'centernet'):
        raw, raw_m = heads(kind, x)
        boxes[kind] = det_task.detections_256(kind, raw)
        boxes[kind + '_m'] = unmirror_boxes(det_task.detections_256(kind, raw_m))

    def ap(lists: list[list[np.ndarray]]) -> float:
        return det_post.average_precision([det_post.wbf(list(t)) for t in zip(*lists)], gts)
    return {'metric': 'map50_ensemble_wbf', 'plain': ap([boxes['yolo'], boxes['centernet']]),
            'flip_merged': ap([boxes['yolo'], boxes['yolo_m'], boxes['centernet'], boxes['centernet_m']])}


def main() -> None:
    ds = data.load_dataset()
    split_train, split_ho = data.load_split(ds)
    for kind, metric in {'cls': 'macro_f1', 'seg': 'infection_dice_mean_per_covid_image'}.items():
        idx = card_holdout(kind, ds, split_ho)
        res = {**single(kind, ds, idx, metric), 'n_images': int(len(idx))}
        if idx is split_ho:  # a split.json model: the images staged later are in neither its training nor its card
            later = np.setdiff1d(np.arange(len(ds.names)), np.concatenate([split_train, split_ho]))
            res['later_images'] = {**single(kind, ds, later, metric), 'n_images': int(len(later))}
        write(KINDS[kind]['id'], res)
    idx = card_holdout('ensemble', ds, split_ho)
    res = {**detectors(ds, idx), 'n_images': int(len(idx))}
    for kind in ('yolo', 'centernet'):
        write(KINDS[kind]['id'], res)


def decision(res: dict) -> str:
    gains = [r['flip_merged'] - r['plain'] for r in (res, res.get('later_images')) if r]
    if max(gains) < -0.005:
        return 'hurts'
    if min(gains) < 0.005:
        return 'no clear gain'
    return 'gain too small for twice the inference' if min(gains) < ADOPT_GAIN else 'clear gain'


def write(model_id: str, res: dict) -> None:
    res['decision'] = decision(res)
    print(model_id, json.dumps(res), flush=True)
    with open(os.path.join(MODELS_DIR, model_id, 'flip-tta.json'), 'w') as f:
        json.dump(res, f, indent=1)


if __name__ == '__main__':
    main()
