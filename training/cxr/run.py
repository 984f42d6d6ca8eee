"""One command per CXR model: train (resumable) + evaluate on the hold-out + export + manifest + card.

    /usr/bin/python3 training/cxr/run.py seg|cls|yolo|centernet            # train, eval, export, card
    /usr/bin/python3 training/cxr/run.py ensemble                           # WBF(A, B) mAP, detector cards
    /usr/bin/python3 training/cxr/run.py <kind> --eval-only                 # re-evaluate the SHIPPED int8
                                                                            # ONNX and compare with the card
Shipped-model numbers come from onnxruntime-node (training/common) on the hold-out in split.json, or on the
cross-validation fold a fold model shipped with (cls_cv.py, seg_det_cv.py: `heldOutFold` in its provenance).
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.abspath(os.path.join(HERE, '..', '..')))

import cls_task  # noqa: E402
import data  # noqa: E402
import det_post  # noqa: E402
import det_task  # noqa: E402
import loop  # noqa: E402
import models  # noqa: E402
import seg_task  # noqa: E402
from training.common import MODELS_DIR, run_onnx  # noqa: E402
from training.common.ship import Int8Budget, ShipSpec, ship  # noqa: E402

FIXTURE_DIR = os.path.join(os.path.dirname(HERE), '..', 'src', 'core', 'analyses', 'cxr', '__fixtures__')

KINDS = {
    'seg': dict(id='cxr-segmentation', task='cxr-segmentation', output='logits', out_shape=[-1, 2, 128, 128]),
    'cls': dict(id='cxr-classification', task='cxr-classification', output='logits', out_shape=[-1, 3]),
    'yolo': dict(id='cxr-detector-yolo', task='cxr-opacity-detection', output='head', out_shape=[-1, 5, 8, 8]),
    'centernet': dict(id='cxr-detector-centernet', task='cxr-opacity-detection', output='head',
                      out_shape=[-1, 5, 32, 32]),
}


def build(kind: str) -> torch.nn.Module:
    return {'seg': seg_task.build, 'cls': cls_task.build}.get(kind, lambda: det_task.build(kind))()


def schedule(kind: str) -> dict:
    """Run name, epochs, batch, learning rate and seed of one model's training (also seg_det_cv.py's)."""
    if kind == 'seg':
        return dict(name=seg_task.NAME, epochs=seg_task.EPOCHS, batch=seg_task.BATCH, lr=3e-3, seed=1)
    if kind == 'cls':
        return dict(name=cls_task.NAME, epochs=cls_task.EPOCHS, batch=cls_task.BATCH, lr=2e-3, seed=2)
    return dict(det_task.CONFIGS[kind], seed=3 if kind == 'yolo' else 4)


def make_step(kind: str, ds: data.Dataset, tr: np.ndarray):
    """The model's loss + augmentation step on the training images `tr` (for loop.train)."""
    if kind == 'seg':
        return seg_task.make_step(ds, tr)
    if kind == 'cls':
        return cls_task.make_step(ds, tr)
    return det_task.make_step(kind, ds, tr)


def train(kind: str, ds: data.Dataset, tr: np.ndarray) -> torch.nn.Module:
    s = schedule(kind)
    return loop.train(s['name'], build(kind), len(tr), s['epochs'], s['batch'], s['lr'], make_step(kind, ds, tr),
                      seed=s['seed'])


def model_input(gray256: np.ndarray) -> np.ndarray:
    return data.normalize(data.downsample2(gray256))[:, None]


def torch_raw(m: torch.nn.Module, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return np.concatenate([m(torch.from_numpy(x[i:i + 32])).numpy() for i in range(0, len(x), 32)])


def metrics_from_raw(kind: str, raw: np.ndarray, ds: data.Dataset, idx: np.ndarray) -> dict:
    if kind == 'seg':
        lg = F.interpolate(torch.from_numpy(raw), size=(256, 256), mode='bilinear', align_corners=False).numpy()
        return seg_task.seg_metrics(lg[:, 0] > 0, lg[:, 1] > 0, ds, idx)
    if kind == 'cls':
        return cls_task.cls_metrics(raw.argmax(1), ds.labels[idx])
    dets = det_task.detections_256(kind, raw)
    gts = [ds.boxes[i] for i in idx]
    return {'n_images': int(len(idx)), 'n_gt_boxes': int(sum(len(g) for g in gts)),
            'map50': det_post.average_precision(dets, gts)}


def paths(kind: str) -> dict:
    mid = KINDS[kind]['id']
    d = os.path.join(MODELS_DIR, mid)
    # fp32 reference stays out of git / the bundle (15 MB budget); parity tests use it when present
    return {'dir': d, 'int8': os.path.join(d, 'model.int8.onnx'), 'fp32': os.path.join(data.RUNS, 'export', f'{mid}.fp32.onnx'),
            'metrics': os.path.join(d, 'metrics.json'), 'rel_int8': f'{mid}/model.int8.onnx',
            'rel_fp32': f'{mid}/model.fp32.onnx'}


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype='<f4').tobytes()).decode()


def parity_images(ds: data.Dataset, ho: np.ndarray) -> list[int]:
    """First hold-out image of each class (sorted names): real inputs for the parity fixture."""
    return [int(next(i for i in sorted(ho, key=lambda j: ds.names[j]) if ds.labels[i] == c))
            for c in range(len(data.CLASS_LABELS))]


def write_fixture(kind: str, m: torch.nn.Module, ds: data.Dataset, ho: np.ndarray) -> None:
    """PyTorch fp32 outputs on one hold-out image per class, read by cxrParity.test.ts."""
    idx = parity_images(ds, ho)
    if kind == 'seg':  # 2 x 2 x 128 x 128 floats per case: keep the fixture small
        idx = idx[:2]
    x = model_input(ds.images[idx])
    raw = torch_raw(m, x)
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    fx = {'modelId': KINDS[kind]['id'], 'generator': 'training/cxr/run.py (PyTorch fp32, eval mode)',
          'outputName': KINDS[kind]['output'],
          'cases': [{'image': f'covid-qu-ex/{ds.names[i]}', 'dims': list(raw[k:k + 1].shape), 'output': b64(raw[k]),
                     # the model input PyTorch saw (2x2 mean + normalisation), to check the TS preprocessing
                     'input': b64(x[k]) if kind == 'cls' else None}
                    for k, i in enumerate(idx)]}
    with open(os.path.join(FIXTURE_DIR, f'{KINDS[kind]["id"]}.torch.json'), 'w') as f:
        json.dump(fx, f)


def manifest_entry(kind: str, extra: dict, labels: list[str] | None, version: str = '1.0.0') -> dict:
    """The entry without `files` (the ship step adds the shipped file's sha256 and size)."""
    k = KINDS[kind]
    names = {'seg': 'CXR lung + infection segmentation (compact U-Net)',
             'cls': 'CXR 3-class classifier (COVID-19 / other pneumonia / normal)',
             'yolo': 'CXR opacity detector A (YOLO-style grid)',
             'centernet': 'CXR opacity detector B (CenterNet-style centre points)'}
    decode = {'seg': 'sigmoid', 'cls': 'softmax'}.get(kind, 'boxes')
    entry = {
        'id': k['id'], 'name': names[kind], 'task': k['task'], 'modality': 'cxr', 'format': 'onnx',
        'version': version,
        'license': 'research use only; trained on COVID-QU-Ex infection-segmentation subset (licence unverified offline)',
        'card': f'{k["id"]}/CARD.md', 'quantization': 'int8-weights',
        'input': {'name': 'image', 'layout': 'NCHW', 'height': 128, 'width': 128, 'channels': 1, 'dtype': 'float32',
                  'intensity': {'source': '8bit', 'scale': 1 / 255, 'mean': [data.MEAN], 'std': [data.STD]},
                  'crop': 'none', 'resize': 'area'},
        'outputs': [{'name': k['output'], 'shape': k['out_shape'], 'decode': decode}],
        'extra': extra,
    }
    if labels:
        entry['labels'] = labels
    return entry


EXTRA = {
    'seg': {'channels': ['lung', 'infection'], 'threshold': 0.5,
            'maskResize': 'bilinear-half-pixel logits to the input size, then sigmoid > threshold'},
    'cls': {},
    'yolo': {'family': 'single-shot anchor-free grid (YOLOv5-style assignment, GIoU loss)', 'stride': 16,
             'grid': 8, 'channels': ['objectness', 'tx', 'ty', 'tw', 'th'],
             'boxDecode': 'cx=(col+2*sigmoid(tx)-0.5)*stride; w=sigmoid(tw)*inputSize; score=sigmoid(obj)',
             'scoreMin': det_post.SCORE_MIN, 'nmsIou': det_post.NMS_IOU, 'maxDetections': det_post.MAX_DET,
             'displayScore': 0.3, 'wbfIou': det_post.WBF_IOU},
    'centernet': {'family': 'anchor-free centre points (CenterNet-style heatmap + size + offset)', 'stride': 4,
                  'grid': 32, 'channels': ['heatmap', 'offsetX', 'offsetY', 'w', 'h'],
                  'boxDecode': 'peaks = 3x3 local maxima of sigmoid(heatmap); cx=(col+offX)*stride; w=max(w,0)*inputSize',
                  'scoreMin': det_post.SCORE_MIN, 'nmsIou': det_post.NMS_IOU, 'maxDetections': det_post.MAX_DET,
                  'displayScore': 0.3, 'wbfIou': det_post.WBF_IOU},
}


# int8 may cost at most this much of each model's headline metric against fp32 (issue 11: 0.005 Dice)
BUDGET = {'seg': Int8Budget('infection_dice_mean_per_covid_image', 0.005, higher_is_better=True),
          'cls': Int8Budget('macro_f1', 0.005, higher_is_better=True),
          'yolo': Int8Budget('map50', 0.005, higher_is_better=True),
          'centernet': Int8Budget('map50', 0.005, higher_is_better=True)}


def export_and_eval(kind: str, m: torch.nn.Module, ds: data.Dataset, ho: np.ndarray, training: dict | None = None,
                    version: str = '1.0.0') -> dict:
    """The shared ship step (training/common/ship.py), then this model's metrics.json (read by cards.py),
    the int8 hold-out outputs and the parity fixture."""
    p = paths(kind)
    out = KINDS[kind]['output']
    labels = data.CLASS_LABELS if kind == 'cls' else (['lung', 'infection'] if kind == 'seg' else ['opacity'])
    entry = manifest_entry(kind, EXTRA[kind], labels, version)
    r = ship(ShipSpec(
        model_id=KINDS[kind]['id'], model=m, input_name='image', chw=(1, 128, 128), output_names=[out],
        fp32_path=p['fp32'], heldout_inputs=model_input(ds.images[ho]),
        score=lambda o: metrics_from_raw(kind, o[out], ds, ho), budget=BUDGET[kind], entry=entry,
        data_paths=[os.path.join(data.DATA, 'files.csv'), os.path.join(data.DATA, 'Train'), data.SPLIT_PATH],
        training=training or {}, models_dir=MODELS_DIR))  # read at call time: a smoke test may point it elsewhere
    res = {
        'model_id': KINDS[kind]['id'], 'params': models.n_params(m),
        'bytes_int8': r['files']['int8']['bytes'], 'bytes_fp32': r['files']['fp32']['bytes'],
        'quantization': r['quantization'], 'latency_int8_ms': r['latency_ms_int8'],
        'holdout': {'pytorch_fp32': r['heldout']['pytorch_fp32'], 'onnx_fp32': r['heldout']['onnx_fp32'],
                    'onnx_int8_shipped': r['heldout']['onnx_int8']},
        'max_abs_diff_vs_pytorch': {v: d[out] for v, d in r['max_abs_diff_vs_pytorch'].items()},
        'int8_cost': r['int8_cost'], 'provenance': r['provenance'],
    }
    with open(p['metrics'], 'w') as f:
        json.dump(res, f, indent=1)
    np.save(os.path.join(data.RUNS, f'{kind}_holdout_raw_int8.npy'),
            run_onnx(p['int8'], {'image': model_input(ds.images[ho])})[out])
    write_fixture(kind, m, ds, ho)
    return res


def eval_only(kind: str, ds: data.Dataset, ho: np.ndarray) -> int:
    p = paths(kind)
    card = json.load(open(p['metrics']))['holdout']['onnx_int8_shipped']
    raw_q = run_onnx(p['int8'], {'image': model_input(ds.images[ho])})[KINDS[kind]['output']]
    got = metrics_from_raw(kind, raw_q, ds, ho)
    print(json.dumps(got, indent=1))
    bad = [k for k, v in card.items() if isinstance(v, float) and abs(v - got[k]) > 1e-6]
    print('matches card' if not bad else f'DIFFERS from card: {bad}')
    return 1 if bad else 0


def ensemble_metrics(raw_a: np.ndarray, raw_b: np.ndarray, ds: data.Dataset, idx: np.ndarray) -> dict:
    """mAP@0.5 of A (YOLO-style), B (CenterNet-style) and WBF(A, B) from the raw heads on images `idx`."""
    gts = [ds.boxes[i] for i in idx]
    a, b = det_task.detections_256('yolo', raw_a), det_task.detections_256('centernet', raw_b)
    fused = [det_post.wbf([x, y]) for x, y in zip(a, b)]
    return {'n_images': int(len(idx)), 'n_gt_boxes': int(sum(len(g) for g in gts)),
            'map50_A_yolo': det_post.average_precision(a, gts),
            'map50_B_centernet': det_post.average_precision(b, gts),
            'map50_ensemble_wbf': det_post.average_precision(fused, gts),
            'wbf': {'iou': det_post.WBF_IOU, 'weights': [1, 1], 'nms_iou_after': det_post.WBF_IOU}}


def ensemble(ds: data.Dataset, ho: np.ndarray, eval_only_flag: bool, fold: int | None = None) -> dict:
    """WBF(A, B) on the shipped int8 detectors' outputs on the hold-out `ho` (split.json's, or CV fold `fold`
    when the detectors ship from seg_det_cv.py; stored so --eval-only rescores the same images)."""
    x = model_input(ds.images[ho])
    res = ensemble_metrics(run_onnx(paths('yolo')['int8'], {'image': x})['head'],
                           run_onnx(paths('centernet')['int8'], {'image': x})['head'], ds, ho)
    if fold is not None:
        res['heldOutFold'] = fold
    path = os.path.join(MODELS_DIR, 'cxr-detector-yolo', 'ensemble-metrics.json')
    if eval_only_flag:
        card = json.load(open(path))
        bad = [k for k in res if k.startswith('map50') and abs(res[k] - card[k]) > 1e-6]
        print(json.dumps(res, indent=1), '\nmatches card' if not bad else f'\nDIFFERS from card: {bad}')
        return res
    for kind in ('yolo', 'centernet'):
        with open(os.path.join(MODELS_DIR, KINDS[kind]['id'], 'ensemble-metrics.json'), 'w') as f:
            json.dump(res, f, indent=1)
    print(json.dumps(res, indent=1))
    return res


def card_holdout(kind: str, ds: data.Dataset, default: np.ndarray) -> np.ndarray:
    """The images a shipped card was scored on: the CV fold a fold model shipped with (cls_cv.py /
    seg_det_cv.py record `heldOutFold`), else split.json's hold-out (`default`)."""
    if kind == 'ensemble':
        info = json.load(open(os.path.join(MODELS_DIR, KINDS['yolo']['id'], 'ensemble-metrics.json')))
    else:
        info = json.load(open(paths(kind)['metrics'])).get('provenance', {}).get('training', {})
    if info.get('heldOutFold') is None:
        return default
    import cls_cv  # the class-stratified folds every CXR fold model uses
    return cls_cv.split_for(cls_cv.load_folds(ds), int(info['heldOutFold']))[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('kind', choices=[*KINDS, 'ensemble'])
    ap.add_argument('--eval-only', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(1)
    ds = data.load_dataset()
    tr, ho = data.load_split(ds)
    if a.eval_only:
        ho = card_holdout(a.kind, ds, ho)
    if a.kind == 'ensemble':
        ensemble(ds, ho, a.eval_only)
    elif a.eval_only:
        sys.exit(eval_only(a.kind, ds, ho))
    else:
        m = train(a.kind, ds, tr)
        res = export_and_eval(a.kind, m, ds, ho)
        print(json.dumps(res, indent=1))
    if not a.eval_only:
        import cards  # noqa: E402  (writes CARD.md from the metrics files)
        cards.write_all()


if __name__ == '__main__':
    main()
