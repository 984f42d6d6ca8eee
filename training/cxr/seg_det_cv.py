"""CXR segmentation and both opacity detectors on all staged COVID-QU-Ex images (3,234), on the classifier's folds.

    /usr/bin/python3 training/cxr/seg_det_cv.py train --kind seg|yolo|centernet [--fold 0]   # resumable
    /usr/bin/python3 training/cxr/seg_det_cv.py eval  --kind seg|yolo|centernet|ensemble [--fold 0]
    /usr/bin/python3 training/cxr/seg_det_cv.py ship  --kind seg|yolo|centernet|ensemble [--fold 0]
    /usr/bin/python3 training/cxr/seg_det_cv.py cv     # the detector pair: per-fold table, mean +- SD
    /usr/bin/python3 training/cxr/seg_det_cv.py smoke      # the whole path on 64 images, 1 epoch, in a temp dir

Training images = every fold of `cls_folds.json` but `--fold` (class-stratified by image; COVID-QU-Ex has no
patient ids, so the folds are NOT patient-disjoint). Model, loss, augmentation, batch, learning rate and epoch
count are today's (`run.schedule`, `run.make_step`): with ~2.3x the images per epoch the schedule is already
longer. The last epoch is kept; held-out figures are logged every 5 epochs for the plan only.

`eval` scores the fold model (PyTorch fp32) and the SHIPPED int8 model on the fold's images that the shipped
model's training (split.json `train`) never saw, and prints one VERDICT line: ship only when the new model is
better by more than the int8 budget (so its int8 export still beats the shipped file). `ship` goes through the
shared ship step (`run.export_and_eval`, scored on the fold) and rewrites the cards (`cards.py`).
`cv` scores every fold whose two detector models are finished on its own held-out fold (PyTorch fp32: A, B and
WBF) and writes the table to results/detector-cv-e<N>.json, and next to both detectors (`cv-folds.json`, for their
cards) when N is the shipped pair's schedule.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cls_cv  # noqa: E402  (the folds: load_folds, split_for, shipped_unseen)
import data  # noqa: E402
import loop  # noqa: E402
import run  # noqa: E402

KINDS = ('seg', 'yolo', 'centernet')
DETECTORS = ('yolo', 'centernet')
CV_DIR = os.path.join(data.RUNS, 'cxr-cv')
THREADS = cls_cv.THREADS
LOG_EVERY = 5
HARDWARE = '2 CPU cores (shared), torch 1.13, nice 19'
# the figure the ship decision and the card's aim use
HEADLINE = {'seg': 'infection_dice_mean_per_covid_image', 'yolo': 'map50', 'centernet': 'map50',
            'ensemble': 'map50_ensemble_wbf'}
CV_COLUMNS = ('map50_A_yolo', 'map50_B_centernet', 'map50_ensemble_wbf')  # `cv`: the detector pair per fold
SMOKE_EPOCHS = 1
SEG_LUNG_SLACK = 0.01  # a new segmentation may not lose more lung Dice (mean per image) than this


def fold_dir(kind: str, k: int, epochs: int = 0) -> str:
    """A schedule other than the model's own (`--epochs`) trains in a folder of its own."""
    e = epochs_of(kind, epochs)
    return os.path.join(CV_DIR, f'{kind}-fold{k}' if e == epochs_of(kind, 0) else f'{kind}-e{e}-fold{k}')


def run_name(kind: str, k: int, epochs: int = 0) -> str:
    """The run as the manifest's provenance names it: `cxr-cv/<kind>[-e<N>]-fold<k>`."""
    return os.path.relpath(fold_dir(kind, k, epochs), data.RUNS)


def cv_metrics_path(kind: str) -> str:
    return os.path.join(CV_DIR, f'{kind}-cv_metrics.json')


def subset(idx: np.ndarray, limit: int) -> np.ndarray:
    """Evenly spaced `limit` of the sorted indices (every class appears), or all of them (smoke tests only)."""
    if not limit or limit >= len(idx):
        return idx
    return idx[np.linspace(0, len(idx) - 1, limit).round().astype(int)]


def fold_split(ds: data.Dataset, k: int, limit: int = 0) -> tuple[np.ndarray, np.ndarray]:
    tr, ho = cls_cv.split_for(cls_cv.load_folds(ds), k)
    return subset(tr, limit), subset(ho, limit)


def epochs_of(kind: str, override: int) -> int:
    return override or run.schedule(kind)['epochs']


def torch_metrics(kind: str, m: torch.nn.Module, ds: data.Dataset, idx: np.ndarray) -> dict:
    """The same metrics as the ship step (run.metrics_from_raw), on the PyTorch fp32 outputs."""
    return run.metrics_from_raw(kind, run.torch_raw(m, run.model_input(ds.images[idx])), ds, idx)


class EpochClock:
    """Wall seconds of each epoch (training + checkpoint, not the held-out log), kept in the run folder so a
    resumed schedule still adds up to the whole wall time for the card."""

    def __init__(self, out_dir: str, steps: int):
        self.path = os.path.join(out_dir, 'epoch_seconds.json')
        self.rec = json.load(open(self.path)) if os.path.exists(self.path) else {}
        self.rec['steps_per_epoch'] = steps
        self.t = time.time()

    def tick(self, epoch: int) -> None:
        self.rec.setdefault('seconds', {})[str(epoch)] = round(time.time() - self.t, 1)
        with open(self.path, 'w') as f:
            json.dump(self.rec, f)

    def restart(self) -> None:
        self.t = time.time()


def train_fold(kind: str, ds: data.Dataset, k: int, epochs: int, limit: int) -> torch.nn.Module:
    tr, ho = fold_split(ds, k, limit)
    s = run.schedule(kind)
    out = fold_dir(kind, k, epochs)
    os.makedirs(out, exist_ok=True)
    clock = EpochClock(out, math.ceil(len(tr) / s['batch']))

    def on_epoch(m: torch.nn.Module, epoch: int) -> str:
        clock.tick(epoch)
        note = ''
        if (epoch + 1) % LOG_EVERY == 0 or epoch + 1 == epochs:
            r = torch_metrics(kind, m, ds, ho)
            note = f'(held-out fold {k}, logged only: {HEADLINE[kind]} {r[HEADLINE[kind]]:.3f}' + (
                f', lung Dice/image {r["lung_dice_mean_per_image"]:.3f})' if kind == 'seg' else ')')
        clock.restart()
        return note

    return loop.train(os.path.basename(out), run.build(kind), len(tr), epochs, s['batch'], s['lr'],
                      run.make_step(kind, ds, tr), seed=s['seed'] + 10 * k, out_dir=out,
                      threads=THREADS, on_epoch=on_epoch)


def last_epoch(kind: str, k: int, epochs: int = 0) -> int:
    p = os.path.join(fold_dir(kind, k, epochs), 'last.ckpt')
    return torch.load(p)['epoch'] + 1 if os.path.exists(p) else 0


def load_fold_model(kind: str, k: int, epochs: int) -> torch.nn.Module:
    if last_epoch(kind, k, epochs) < epochs:
        raise SystemExit(f'{kind} fold {k} has {last_epoch(kind, k, epochs)} of its {epochs} epochs: train it first')
    m = run.build(kind)
    m.load_state_dict(torch.load(os.path.join(fold_dir(kind, k, epochs), 'last.ckpt'))['model'])
    return m.eval()


def shipped_info(kind: str, models_dir: str) -> dict:
    """Version, sha256 and training run of the shipped int8 file (from the manifest) the comparison is against."""
    mid = run.KINDS[kind]['id']
    path = os.path.join(models_dir, mid, 'model.int8.onnx')
    entry = next(e for e in json.load(open(os.path.join(models_dir, 'manifest.json')))['models'] if e['id'] == mid)
    trained = entry.get('extra', {}).get('provenance', {}).get('training', {})
    return {'path': os.path.relpath(path, models_dir), 'version': entry.get('version'),
            'sha256': hashlib.sha256(open(path, 'rb').read()).hexdigest(),
            'run': trained.get('run'), 'heldOutFold': trained.get('heldOutFold'), 'epochs': trained.get('epochs')}


def unseen_by_shipped(ds: data.Dataset, ho: np.ndarray, k: int, shipped: dict) -> tuple[np.ndarray, str]:
    """The fold's images the shipped model(s) never trained on, and what their training was: all of them when
    the shipped models are fold k's own (an earlier schedule), else those outside split.json's `train` (1.0.0)."""
    if all(s['heldOutFold'] == k for s in shipped.values()):
        return ho, f'the other folds: it is fold {k}\'s model too'
    return cls_cv.shipped_unseen(ds, ho), 'split.json, 1,128 images'


def shipped_raw(kind: str, models_dir: str, ds: data.Dataset, idx: np.ndarray) -> np.ndarray:
    from training.common.ship import onnx_outputs
    path = os.path.join(models_dir, run.KINDS[kind]['id'], 'model.int8.onnx')
    return onnx_outputs(path, 'image', run.model_input(ds.images[idx]))[run.KINDS[kind]['output']]


def verdict(kind: str, k: int, new: dict, old: dict, n: int, aim: str) -> tuple[bool, str]:
    """Better only by more than the int8 budget: `new` is PyTorch fp32, `old` the shipped int8 file."""
    h, margin = HEADLINE[kind], run.BUDGET['yolo' if kind == 'ensemble' else kind].max_cost
    better = new[h] - old[h] > margin
    extra = ''
    if kind == 'seg':
        lung = 'lung_dice_mean_per_image'
        better = better and new[lung] >= old[lung] - SEG_LUNG_SLACK
        extra = f'; lung Dice/image {new[lung]:.3f} vs {old[lung]:.3f}'
    what = 'SHIP the new pair (seg_det_cv.py ship --kind yolo, centernet, ensemble)' if kind == 'ensemble' else \
        f'SHIP (seg_det_cv.py ship --kind {kind} --fold {k})'
    line = (f'VERDICT {kind} fold {k}: {what if better else "KEEP the shipped model"}: {h} {new[h]:.3f} new vs '
            f'{old[h]:.3f} shipped on {n} images the shipped model never saw (needs > +{margin}){extra}. {aim}')
    return better, line


def aim_text(kind: str, r: dict) -> str:
    """Issue 11's aims, judged on the fold model's whole held-out fold."""
    if kind == 'seg':
        v = r[HEADLINE['seg']]
        return f'Aim infection Dice >= 0.75 per image: {"reached" if v >= 0.75 else "NOT reached"} ({v:.3f} on the fold).'
    if kind == 'ensemble':
        ok = r['map50_ensemble_wbf'] >= 0.6 and r['map50_ensemble_wbf'] > max(r['map50_A_yolo'], r['map50_B_centernet'])
        return (f'Aim WBF mAP >= 0.60 and above A and B: {"reached" if ok else "NOT reached"} (WBF '
                f'{r["map50_ensemble_wbf"]:.3f}, A {r["map50_A_yolo"]:.3f}, B {r["map50_B_centernet"]:.3f} on the fold).')
    return f'mAP@0.5 {r["map50"]:.3f} on the fold.'


def evaluate(kind: str, ds: data.Dataset, k: int, epochs: int, limit: int, models_dir: str) -> dict | None:
    _, ho = fold_split(ds, k, limit)
    kinds = DETECTORS if kind == 'ensemble' else (kind,)
    shipped = {c: shipped_info(c, models_dir) for c in kinds}
    unseen, shipped_training = unseen_by_shipped(ds, ho, k, shipped)
    pos = np.searchsorted(ho, unseen)
    mine = [c for c in kinds if shipped[c]['run'] == run_name(c, k, epochs)]
    if mine:  # after `ship`, a new eval would compare the fold model with itself and erase the real comparison
        print(f'the shipped {", ".join(mine)} already is this fold model: kept {cv_metrics_path(kind)}')
        return None
    x = run.model_input(ds.images[ho])
    new = {c: run.torch_raw(load_fold_model(c, k, epochs_of(c, epochs)), x) for c in kinds}
    old = {c: shipped_raw(c, models_dir, ds, unseen) for c in kinds}
    res: dict = {'kind': kind, 'fold': k, 'epochs': {c: epochs_of(c, epochs) for c in kinds},
                 'n_train': int(sum(len(f) for j, f in enumerate(cls_cv.load_folds(ds)) if j != k)),
                 'new': 'fold model, PyTorch fp32', 'shipped': shipped, 'shipped_training': shipped_training}
    if kind == 'ensemble':
        res['heldout'] = run.ensemble_metrics(new['yolo'], new['centernet'], ds, ho)
        pairs = {'new': (new['yolo'][pos], new['centernet'][pos]), 'shipped': (old['yolo'], old['centernet']),
                 'new_A_shipped_B': (new['yolo'][pos], old['centernet']),
                 'shipped_A_new_B': (old['yolo'], new['centernet'][pos])}
        res['unseen_by_shipped'] = {n: run.ensemble_metrics(a, b, ds, unseen) for n, (a, b) in pairs.items()}
    else:
        res['heldout'] = run.metrics_from_raw(kind, new[kind], ds, ho)
        res['unseen_by_shipped'] = {'new': run.metrics_from_raw(kind, new[kind][pos], ds, unseen),
                                    'shipped': run.metrics_from_raw(kind, old[kind], ds, unseen)}
    u = res['unseen_by_shipped']
    res['ship'], res['verdict'] = verdict(kind, k, u['new'], u['shipped'], len(unseen), aim_text(kind, res['heldout']))
    os.makedirs(CV_DIR, exist_ok=True)
    with open(cv_metrics_path(kind), 'w') as f:
        json.dump(res, f, indent=1)
    return res


def cv_table_paths(models_dir: str, epochs: int) -> list[str]:
    """Where `cv` keeps its table: every schedule in training/cxr/results/detector-cv-e<N>.json (the schedules the
    shipped one was chosen among), and the shipped pair's schedule also next to both detectors (the cards show it)."""
    n = {c: epochs_of(c, epochs) for c in DETECTORS}
    paths = [os.path.join(HERE, 'results', f'detector-cv-e{n[DETECTORS[0]]}.json')]
    if all(shipped_info(c, models_dir)['epochs'] == n[c] for c in DETECTORS):
        paths += [os.path.join(models_dir, run.KINDS[c]['id'], 'cv-folds.json') for c in DETECTORS]
    return paths


def recorded_cv_rows(path: str) -> dict[int, dict]:
    """The per-fold rows `cv` wrote last time (committed), by fold."""
    return {r['fold']: r for r in json.load(open(path))['rows']} if os.path.exists(path) else {}


def cross_validate(ds: data.Dataset, models_dir: str, epochs: int = 0) -> dict:
    """A, B and WBF mAP@0.5 of each finished detector fold pair on its held-out fold: the spread the cards show.

    Checkpoints live outside the repo and a later session may run on a machine without them: a fold measured
    before (same code, same fp32 fold models) keeps its committed row, so the table grows fold by fold."""
    paths = cv_table_paths(models_dir, epochs)
    rows = recorded_cv_rows(paths[0])
    for k in range(cls_cv.N_FOLDS):
        if any(last_epoch(c, k, epochs) < epochs_of(c, epochs) for c in DETECTORS):
            continue
        _, ho = fold_split(ds, k)
        x = run.model_input(ds.images[ho])
        raw = {c: run.torch_raw(load_fold_model(c, k, epochs_of(c, epochs)), x) for c in DETECTORS}
        rows[k] = {'fold': k, **run.ensemble_metrics(raw['yolo'], raw['centernet'], ds, ho)}
        print(f'fold {k}: ' + ', '.join(f'{m} {rows[k][m]:.3f}' for m in CV_COLUMNS), flush=True)
    rows = [rows[k] for k in sorted(rows)]
    res = {'folds_total': cls_cv.N_FOLDS, 'new': 'fold models, PyTorch fp32',
           'epochs': {c: epochs_of(c, epochs) for c in DETECTORS}, 'rows': rows,
           'summary': {m: {'mean': float(np.mean([r[m] for r in rows])), 'sd': float(np.std([r[m] for r in rows], ddof=1))
                           if len(rows) > 1 else None} for m in CV_COLUMNS} if rows else {}}
    for p in paths:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'w') as f:
            json.dump(res, f, indent=1)
    return res


def wall_seconds(kind: str, k: int, epochs: int = 0) -> float | None:
    p = os.path.join(fold_dir(kind, k, epochs), 'epoch_seconds.json')
    return round(sum(json.load(open(p))['seconds'].values())) if os.path.exists(p) else None


def eval_result(kind: str, k: int) -> dict:
    """`eval`'s comparison for fold k: the card needs it, so `ship` checks it before touching the bundle."""
    p = cv_metrics_path(kind)
    cv = json.load(open(p)) if os.path.exists(p) else {}
    if cv.get('fold') != k:
        raise SystemExit(f'run `seg_det_cv.py eval --kind {kind} --fold {k}` first: the card reports its comparison')
    if not cv['ship']:
        print(f'WARNING: eval said to keep the shipped model: {cv["verdict"]}', flush=True)
    return cv


def copy_cv_metrics(cv: dict, kind: str, dest_name: str, ds: data.Dataset, k: int, dirs: list[str]) -> None:
    """The eval comparison next to the shipped model(s), with what the card's data section needs."""
    folds = cls_cv.load_folds(ds)
    cv.update(shipped_fold=k, n_images=int(len(ds.names)), fold_sizes=[int(len(f)) for f in folds])
    if kind != 'ensemble':
        cv['wall_seconds'] = wall_seconds(kind, k, cv['epochs'][kind])
    for d in dirs:
        with open(os.path.join(d, dest_name), 'w') as f:
            json.dump(cv, f, indent=1)


def ship(kind: str, ds: data.Dataset, k: int, epochs: int, limit: int, version: str) -> None:
    import cards
    tr, ho = fold_split(ds, k, limit)
    cv = eval_result(kind, k)
    if kind == 'ensemble':  # the shipped pair's WBF table on fold k (whichever detectors are shipped now)
        run.ensemble(ds, ho, False, fold=k)
        copy_cv_metrics(cv, kind, 'ensemble-cv-metrics.json', ds, k, [run.paths(c)['dir'] for c in DETECTORS])
        cards.render_images()
        cards.write_all()
        return
    s = run.schedule(kind)
    model = load_fold_model(kind, k, epochs_of(kind, epochs))
    training = {'run': run_name(kind, k, epochs), 'epochs': epochs_of(kind, epochs), 'batch': s['batch'],
                'lr': s['lr'], 'folds': cls_cv.N_FOLDS, 'heldOutFold': k, 'nTrain': int(len(tr)),
                'wallSeconds': wall_seconds(kind, k, epochs), 'hardware': HARDWARE}
    res = run.export_and_eval(kind, model, ds, ho, training, version=version)
    # parity fixture on the images the other CXR fixtures use (cxrParity.test.ts), as cls_cv.ship_fold does
    run.write_fixture(kind, model, ds, data.load_split(ds)[1])
    copy_cv_metrics(cv, kind, 'cv-metrics.json', ds, k, [run.paths(kind)['dir']])
    cards.render_images()
    cards.write_all()
    print(json.dumps(res['holdout']['onnx_int8_shipped'], indent=1))


def redirect_outputs(models_dir: str) -> None:
    """Smoke tests: the bundle, manifest, cards and parity fixtures go to `models_dir`, not models/ and src/."""
    import cards
    os.makedirs(models_dir, exist_ok=True)
    run.MODELS_DIR = cards.MODELS_DIR = models_dir
    run.FIXTURE_DIR = os.path.join(models_dir, '__fixtures__')


def estimate(kind: str, runs_root: str) -> str:
    """Full-schedule hours from the smoke run's seconds per step (the machine's load at that moment)."""
    rec = json.load(open(os.path.join(runs_root, 'cxr', run_name(kind, 0, SMOKE_EPOCHS), 'epoch_seconds.json')))
    per_step = sum(rec['seconds'].values()) / (len(rec['seconds']) * rec['steps_per_epoch'])
    s = run.schedule(kind)
    n_train = sum(len(f) for j, f in enumerate(json.load(open(cls_cv.FOLDS_PATH))['folds']) if j != 0)
    steps = math.ceil(n_train / s['batch'])
    return (f'{kind}: {per_step:.2f} s/step -> {per_step * steps:.0f} s/epoch ({steps} steps) -> '
            f'{per_step * steps * s["epochs"] / 3600:.2f} h for {s["epochs"]} epochs')


def watched_files() -> dict[str, str]:
    """sha256 of what a smoke test must not touch: the bundle's CXR files and the parity fixtures."""
    from training.common import MODELS_DIR
    paths = [os.path.join(MODELS_DIR, 'manifest.json')] + [
        os.path.join(MODELS_DIR, run.KINDS[c]['id'], f) for c in KINDS
        for f in ('model.int8.onnx', 'metrics.json', 'CARD.md', 'cv-metrics.json', 'ensemble-metrics.json')] + [
        os.path.join(run.FIXTURE_DIR, f'{run.KINDS[c]["id"]}.torch.json') for c in KINDS]
    return {p: hashlib.sha256(open(p, 'rb').read()).hexdigest() for p in paths if os.path.exists(p)}


def previous_bundle(dest: str) -> str:
    """The bundle's CXR models as an anonymous "previous" bundle for the smoke test's eval: without their training
    run, so a shipped fold model of the same name is not taken for the smoke's own fold model."""
    from training.common import MODELS_DIR
    manifest = json.load(open(os.path.join(MODELS_DIR, 'manifest.json')))
    for c in KINDS:
        mid = run.KINDS[c]['id']
        os.makedirs(os.path.join(dest, mid))
        shutil.copy(os.path.join(MODELS_DIR, mid, 'model.int8.onnx'), os.path.join(dest, mid))
    for e in manifest['models']:
        e.get('extra', {}).get('provenance', {}).get('training', {}).pop('run', None)
    with open(os.path.join(dest, 'manifest.json'), 'w') as f:
        json.dump(manifest, f)
    return dest


def smoke() -> None:
    """train (1 epoch, 64 images) -> eval -> ship for every kind and the ensemble, in a temp runs + models dir."""
    before = watched_files()
    tmp = tempfile.mkdtemp(prefix='seg_det_cv_smoke_')
    os.makedirs(os.path.join(tmp, 'cxr'))
    if os.path.exists(data.CACHE_PATH):  # the 3,234-image cache, not rebuilt from the PNGs
        os.symlink(data.CACHE_PATH, os.path.join(tmp, 'cxr', 'cache.npz'))
    env = {**os.environ, 'LUNGLENS_RUNS': tmp}
    small = ['--epochs', str(SMOKE_EPOCHS), '--limit', '64']
    out_models = os.path.join(tmp, 'models')
    shipped = previous_bundle(os.path.join(tmp, 'shipped'))
    steps = [['train', '--kind', c] for c in KINDS] + \
        [['eval', '--kind', c, '--shipped-dir', shipped] for c in (*KINDS, 'ensemble')] + \
        [['ship', '--kind', c, '--out-models', out_models] for c in (*KINDS, 'ensemble')]
    for st in steps:
        print('smoke:', ' '.join(st), flush=True)
        subprocess.run([sys.executable, os.path.abspath(__file__), *st, *small], env=env, check=True)
    problems = [p for p, h in watched_files().items() if before.get(p) != h] + \
        [p for p in before if not os.path.exists(p)]
    for c in KINDS:  # the cards describe the new data and carry the comparison (and the detectors the WBF aim)
        card = open(os.path.join(out_models, run.KINDS[c]['id'], 'CARD.md')).read()
        wants = ['3,234 staged', 'seg_det_cv.py train', "that the previous model's training", 'Aim ']
        for want in wants + (['previous A + previous B'] if c in DETECTORS else []):
            if want not in card:
                problems.append(f'{run.KINDS[c]["id"]}/CARD.md lacks "{want}"')
    for c in (*KINDS, 'ensemble'):
        print(json.load(open(os.path.join(tmp, 'cxr', 'cxr-cv', f'{c}-cv_metrics.json')))['verdict'])
    for c in KINDS:
        print('estimate', estimate(c, tmp))
    if problems:
        raise SystemExit('smoke FAILED: ' + '; '.join(problems) + f' (outputs in {tmp})')
    shutil.rmtree(tmp)
    print('smoke OK: train/eval/ship ran for seg, yolo, centernet and the ensemble; models/ and src/ untouched')


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('cmd', choices=['train', 'eval', 'ship', 'cv', 'smoke'])
    ap.add_argument('--kind', choices=[*KINDS, 'ensemble'])
    ap.add_argument('--fold', type=int, default=0, help='the held-out fold (training uses the other four)')
    ap.add_argument('--epochs', type=int, default=0, help='another schedule (its own checkpoint folder; `cv` then writes results/detector-cv-e<N>.json) '
                    'or a smoke test\'s 1 (default: the model\'s schedule)')
    ap.add_argument('--limit', type=int, default=0, help='smoke tests only: this many train / held-out images')
    ap.add_argument('--shipped-dir', default=run.MODELS_DIR, help='eval: where the shipped models are')
    ap.add_argument('--out-models', help='ship: write the bundle, cards and fixtures here (smoke tests)')
    ap.add_argument('--version', default='2.0.0', help='ship: the manifest version (2.1.0 for a new schedule)')
    a = ap.parse_args()
    if a.cmd == 'smoke':
        return smoke()
    if (a.kind is None and a.cmd != 'cv') or (a.cmd == 'train' and a.kind == 'ensemble'):
        ap.error('--kind seg|yolo|centernet is required (eval and ship also take ensemble)')
    torch.set_num_threads(THREADS)
    ds = data.load_dataset()
    if a.cmd == 'train':
        if last_epoch(a.kind, a.fold, a.epochs) >= epochs_of(a.kind, a.epochs):
            print(f'{a.kind} fold {a.fold} already finished', flush=True)
            return
        t0 = time.time()
        train_fold(a.kind, ds, a.fold, epochs_of(a.kind, a.epochs), a.limit)
        print(f'{a.kind} fold {a.fold} done in {time.time() - t0:.0f}s', flush=True)
    elif a.cmd == 'cv':
        import cards
        cross_validate(ds, a.shipped_dir, a.epochs)
        cards.write_all()  # their CV table (when N is the shipped schedule) and the schedules side by side
    elif a.cmd == 'eval':
        res = evaluate(a.kind, ds, a.fold, a.epochs, a.limit, a.shipped_dir)
        if res:
            print(json.dumps(res, indent=1))
            print(res['verdict'], flush=True)
    else:
        if a.out_models:
            redirect_outputs(a.out_models)
        ship(a.kind, ds, a.fold, a.epochs, a.limit, a.version)


if __name__ == '__main__':
    main()
