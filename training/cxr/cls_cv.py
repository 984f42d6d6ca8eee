"""CXR 3-class classifier, 5-fold cross-validation on all staged COVID-QU-Ex Train images (3,234).

    /usr/bin/python3 training/cxr/cls_cv.py train [--folds 0,1,2,3,4]   # resumable, one fold after another
    /usr/bin/python3 training/cxr/cls_cv.py eval                        # metrics of every finished fold
    /usr/bin/python3 training/cxr/cls_cv.py ship [--fold K]             # ship fold K's model (default 0)

Folds are class-stratified and seeded, by IMAGE: COVID-QU-Ex carries no patient ids, so images of one
patient may sit in two folds (the card says so). Every fold gets the same schedule; the last epoch is
kept (held-out figures are logged every few epochs for the plan only, never used to pick a model).
`eval` also scores the previous classifier (1.0.0, trained on split.json `train`; taken from git history) on
the images of each fold that its training never saw, so old and new are compared on the same unseen images,
and refreshes the cross-validation table on the shipped model's card.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cls_task  # noqa: E402
import data  # noqa: E402
import loop  # noqa: E402
import models  # noqa: E402

N_FOLDS = 5
FOLD_SEED = 20261201
FOLDS_PATH = os.path.join(HERE, 'cls_folds.json')
EPOCHS = 30
BATCH = 32
LR = 2e-3
WIDTHS = (16, 32, 64, 128, 192)
THREADS = int(os.environ.get('TORCH_THREADS', '2'))


def fold_dir(k: int) -> str:
    return os.path.join(data.RUNS, 'cls-cv', f'fold{k}')


def make_folds(ds: data.Dataset) -> dict:
    """Class-stratified, seeded assignment of every image to one of N_FOLDS folds (by image)."""
    rng = random.Random(FOLD_SEED)
    fold_of: dict[str, int] = {}
    for c in range(len(data.CLASS_LABELS)):
        names = sorted(n for n, l in zip(ds.names, ds.labels) if l == c)
        rng.shuffle(names)
        for i, n in enumerate(names):
            fold_of[n] = i % N_FOLDS
    return {'seed': FOLD_SEED, 'n_folds': N_FOLDS,
            'note': 'class-stratified by image; COVID-QU-Ex has no patient ids, so folds are NOT patient-disjoint',
            'folds': [sorted(n for n, f in fold_of.items() if f == k) for k in range(N_FOLDS)]}


def load_folds(ds: data.Dataset) -> list[np.ndarray]:
    if not os.path.exists(FOLDS_PATH):
        with open(FOLDS_PATH, 'w') as f:
            json.dump(make_folds(ds), f, indent=0)
    idx = {n: i for i, n in enumerate(ds.names)}
    return [np.asarray([idx[n] for n in names]) for names in json.load(open(FOLDS_PATH))['folds']]


def split_for(folds: list[np.ndarray], k: int) -> tuple[np.ndarray, np.ndarray]:
    tr = np.concatenate([f for j, f in enumerate(folds) if j != k])
    return np.sort(tr), np.sort(folds[k])


def build() -> torch.nn.Module:
    return models.Classifier(len(data.CLASS_LABELS), WIDTHS)


def train_fold(ds: data.Dataset, folds: list[np.ndarray], k: int) -> torch.nn.Module:
    tr, ho = split_for(folds, k)

    def log_heldout(m: torch.nn.Module, epoch: int) -> str:
        if (epoch + 1) % 5 and epoch + 1 != EPOCHS:
            return ''
        r = cls_task.evaluate_torch(m, ds, ho)
        return f'(held-out, logged only: macro-F1 {r["macro_f1"]:.3f} acc {r["accuracy"]:.3f})'

    return loop.train(f'cls-cv-fold{k}', build(), len(tr), EPOCHS, BATCH, LR, cls_task.make_step(ds, tr),
                      seed=100 + k, out_dir=fold_dir(k), threads=THREADS, on_epoch=log_heldout)


def finished(k: int) -> bool:
    p = os.path.join(fold_dir(k), 'last.ckpt')
    return os.path.exists(p) and torch.load(p)['epoch'] + 1 >= EPOCHS


def load_fold_model(k: int) -> torch.nn.Module:
    m = build()
    m.load_state_dict(torch.load(os.path.join(fold_dir(k), 'last.ckpt'))['model'])
    return m.eval()


# the 1.0.0 classifier the fold models are compared with (the shipped file is a fold model since 2.0.0, trained
# on the other folds, so comparing it on them would flatter it)
PREVIOUS_COMMIT = '0628910'
PREVIOUS_ONNX = os.path.join(data.RUNS, 'cls-cv', 'previous-1.0.0.int8.onnx')


def previous_model() -> str:
    if not os.path.exists(PREVIOUS_ONNX):
        import subprocess
        blob = subprocess.run(['git', 'show', f'{PREVIOUS_COMMIT}:models/cxr-classification/model.int8.onnx'],
                              cwd=data.REPO, check=True, capture_output=True).stdout
        os.makedirs(os.path.dirname(PREVIOUS_ONNX), exist_ok=True)
        with open(PREVIOUS_ONNX, 'wb') as f:
            f.write(blob)
    return PREVIOUS_ONNX


def refresh_card(cv: dict) -> None:
    """The shipped fold model's card gets the table of every fold finished so far."""
    import cards
    import run
    path = os.path.join(run.paths('cls')['dir'], 'cv-metrics.json')
    if not os.path.exists(path):
        return
    card_cv = json.load(open(path))
    card_cv.update({k: cv[k] for k in ('folds', 'macro_f1_mean', 'macro_f1_sd') if k in cv})
    with open(path, 'w') as f:
        json.dump(card_cv, f, indent=1)
    cards.write_all()


def shipped_unseen(ds: data.Dataset, ho: np.ndarray) -> np.ndarray:
    """Held-out images of a fold that the shipped classifier's training never saw."""
    seen = set(json.load(open(os.path.join(HERE, 'split.json')))['train'])
    return np.asarray([i for i in ho if ds.names[i] not in seen], dtype=int)


def evaluate(ds: data.Dataset, folds: list[np.ndarray], previous_onnx: str | None) -> dict:
    from training.common import run_onnx
    res: dict = {'folds': {}}
    for k in range(N_FOLDS):
        if not finished(k):
            continue
        _, ho = split_for(folds, k)
        m = load_fold_model(k)
        unseen = shipped_unseen(ds, ho)
        pos = np.searchsorted(ho, unseen)
        probs = cls_task.predict_probs(m, ds.images[ho])
        row = {'heldout': cls_task.cls_metrics(probs.argmax(1), ds.labels[ho]),
               'unseen_by_shipped': {'new': cls_task.cls_metrics(probs[pos].argmax(1), ds.labels[unseen])}}
        if previous_onnx:
            x = data.normalize(data.downsample2(ds.images[unseen]))[:, None]
            old = run_onnx(previous_onnx, {'image': x})['logits']
            row['unseen_by_shipped']['shipped'] = cls_task.cls_metrics(old.argmax(1), ds.labels[unseen])
        res['folds'][k] = row
    f1 = [r['heldout']['macro_f1'] for r in res['folds'].values()]
    if f1:
        res['macro_f1_mean'], res['macro_f1_sd'] = float(np.mean(f1)), float(np.std(f1, ddof=1) if len(f1) > 1 else 0)
    return res


CV_METRICS = os.path.join(data.RUNS, 'cls-cv', 'cv_metrics.json')


def ship_fold(ds: data.Dataset, folds: list[np.ndarray], k: int) -> None:
    """Fold k's last-epoch model through the shared ship step (run.export_and_eval), scored on fold k; the
    cross-validation table (`eval` first) goes next to it for the card (training/cxr/cards.py)."""
    import cards
    import run
    if not finished(k):
        raise SystemExit(f'fold {k} has not finished its {EPOCHS} epochs')
    _, ho = split_for(folds, k)
    training = {'run': f'cls-cv/fold{k}', 'epochs': EPOCHS, 'batch': BATCH, 'lr': LR, 'widths': list(WIDTHS),
                'folds': N_FOLDS, 'heldOutFold': k, 'hardware': '2 CPU cores, torch 1.13, nice 19'}
    model = load_fold_model(k)
    res = run.export_and_eval('cls', model, ds, ho, training, version='2.0.0')
    # The parity fixture on the images the other three CXR fixtures use (cxrParity.test.ts runs all four models
    # on the same radiographs); parity needs real inputs, not held-out ones.
    run.write_fixture('cls', model, ds, data.load_split(ds)[1])
    cv = json.load(open(CV_METRICS))
    cv['shipped_fold'], cv['epochs'], cv['n_images'] = k, EPOCHS, int(len(ds.names))
    cv['fold_sizes'] = [int(len(f)) for f in folds]
    with open(os.path.join(run.paths('cls')['dir'], 'cv-metrics.json'), 'w') as f:
        json.dump(cv, f, indent=1)
    cards.render_images()
    cards.write_all()
    print(json.dumps(res['holdout']['onnx_int8_shipped'], indent=1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('cmd', choices=['train', 'eval', 'ship', 'fixture'])
    ap.add_argument('--fold', type=int, default=0, help='ship: the fold whose model ships (held out: that fold)')
    ap.add_argument('--folds', default=','.join(str(k) for k in range(N_FOLDS)))
    ap.add_argument('--previous', help='eval: the model to compare with (default: 1.0.0 from git history)')
    a = ap.parse_args()
    torch.set_num_threads(THREADS)
    ds = data.load_dataset()
    folds = load_folds(ds)
    if a.cmd == 'train':
        for k in (int(s) for s in a.folds.split(',')):
            if finished(k):
                print(f'fold {k} already finished', flush=True)
                continue
            t0 = time.time()
            train_fold(ds, folds, k)
            print(f'fold {k} done in {time.time() - t0:.0f}s', flush=True)
    elif a.cmd == 'ship':
        ship_fold(ds, folds, a.fold)
    elif a.cmd == 'fixture':  # only the parity fixture of the shipped fold's model
        import run
        run.write_fixture('cls', load_fold_model(a.fold), ds, data.load_split(ds)[1])
    else:
        res = evaluate(ds, folds, a.previous or previous_model())
        with open(CV_METRICS, 'w') as f:
            json.dump(res, f, indent=1)
        print(json.dumps(res, indent=1))
        refresh_card(res)


if __name__ == '__main__':
    main()
