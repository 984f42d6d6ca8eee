#!/usr/bin/python3
"""CT infection-% regression (seed 000): train folds 1-4 (train on 3, evaluate on the 4th), evaluate, export.

  /usr/bin/python3 training/ct_regression/train.py              # train missing folds (resumes), eval, export
  /usr/bin/python3 training/ct_regression/train.py --eval-only  # re-evaluate the shipped ONNX-equivalent model
  options: --folds 1,2 --epochs N (default: EPOCHS_BY_FOLD) --train-only --kl --hard-neg
  v2 campaign (training/PLAN.md), per fold:  train.py --folds F --epochs 10 --kl --hard-neg --train-only
  then  train.py --cv-v2  (metrics + negative controls of the finished v2 folds) and
        train.py --ship-v2 F  (shared ship step: ONNX fp32/int8, parity, manifest + provenance, fixtures, card)

Prediction = round(mean(linear head, softmax-expectation head)), clipped to 0..100 -- fixed before training.
Checkpoint selection: the last epoch (the held-out fold is only logged, never used to choose).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..'))
sys.path.insert(0, HERE)

from data import INPUT_SIZE, RUNS, augment, load_slices, to_input  # noqa: E402
from model import N_BINS, TwoHeadRegressor, n_params  # noqa: E402
import export_model  # noqa: E402
import hard_negatives  # noqa: E402
from config import BATCH, EPOCHS_BY_FOLD, FOLDS, KL_TARGET, LR, SEED, V2_EPOCHS, WIDTHS  # noqa: E402
from evaluate import evaluate_folds, load_final, metrics, predict  # noqa: E402

RESULTS = os.path.join(HERE, 'results')



def kl_target(y: torch.Tensor) -> torch.Tensor:
    """Seed 000's distribution target around the integer label (mass beyond 0/100 folded back in)."""
    t = torch.zeros(len(y), N_BINS)
    yi = y.round().long()
    for k, w in zip(range(-2, 3), KL_TARGET):
        idx = (yi + k).clamp(0, N_BINS - 1)
        t.scatter_add_(1, idx[:, None], torch.full((len(y), 1), w))
    return t


def log(path: str, msg: str) -> None:
    print(msg, flush=True)
    with open(path, 'a') as f:
        f.write(msg + '\n')


def run_name(fold: int, use_kl: bool, hard_neg: bool, study_crops: bool = False, tag: str = '') -> str:
    return f'fold{fold}' + ('-kl' if use_kl else '') + ('-hns' if study_crops else '-hn' if hard_neg else '') + tag


def train_fold(fold: int, epochs: int, use_kl: bool, resume: bool, hard_neg: bool = False,
               study_crops: bool = False, tag: str = '') -> str:
    """`hard_neg`: the training non-COVID series' 2-D crops twice per epoch; `study_crops`: its 2-D crops once
    and its whole-series (3-D lung) crops once -- both ways the app crops a DICOM slice."""
    hard_neg = hard_neg or study_crops
    name = run_name(fold, use_kl, hard_neg, study_crops, tag)
    run = os.path.join(RUNS, name)
    os.makedirs(run, exist_ok=True)
    ckpt_path, final_path, logf = os.path.join(run, 'ckpt.pt'), os.path.join(run, 'final.pt'), os.path.join(run, 'log.txt')
    if os.path.exists(final_path):
        return final_path
    s = load_slices()
    tr, va = s.fold != fold, s.fold == fold
    xtr, ytr = s.images[tr], torch.from_numpy(s.percent[tr])
    if hard_neg:  # every slice of the training non-COVID series, twice per epoch, labelled 0 %
        neg, _ = hard_negatives.load_series(hard_negatives.TRAIN_SERIES)
        second = hard_negatives.load_series(hard_negatives.TRAIN_SERIES, crops='hard-negatives-study')[0] \
            if study_crops else neg
        neg = np.concatenate([neg, second])
        xtr = np.concatenate([xtr, neg])
        ytr = torch.cat([ytr, torch.zeros(len(neg))])
    check, check_rows = hard_negatives.load_series(hard_negatives.CHECK_SERIES, 'reg128') if hard_neg else (None, None)
    torch.manual_seed(SEED + fold)
    model = TwoHeadRegressor(WIDTHS)
    with torch.no_grad():
        model.f2.bias.fill_(float(ytr.mean()))
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=1e-4)
    steps_per_epoch = math.ceil(len(xtr) / BATCH)
    total = epochs * steps_per_epoch
    warm = steps_per_epoch

    def lr_at(step: int) -> float:
        if step < warm:
            return LR * (step + 1) / warm
        return LR * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

    start_epoch, gen = 0, torch.Generator().manual_seed(SEED + 100 * fold)
    if resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        gen.set_state(ck['gen'])
        start_epoch = ck['epoch'] + 1
        log(logf, f'resumed at epoch {start_epoch}')
    else:
        log(logf, f'fold {fold} kl={use_kl} hard_neg={hard_neg} study_crops={study_crops} params={n_params(model)} train={len(xtr)} val={int(va.sum())} '
                  f'input={INPUT_SIZE} epochs={epochs} batch={BATCH} lr={LR}')
    for epoch in range(start_epoch, epochs):
        model.train()
        t0, tot, nb = time.time(), 0.0, 0
        perm = torch.randperm(len(xtr), generator=gen)
        for b in range(steps_per_epoch):
            step = epoch * steps_per_epoch + b
            for g in opt.param_groups:
                g['lr'] = lr_at(step)
            idx = perm[b * BATCH:(b + 1) * BATCH]
            x = augment(to_input(xtr[idx.numpy()]), gen)
            y = ytr[idx]
            lin, logits = model(x)
            loss = F.smooth_l1_loss(lin.squeeze(1), y) + F.smooth_l1_loss(model.expectation(logits).squeeze(1), y)
            if use_kl:
                loss = loss + F.kl_div(F.log_softmax(logits, 1), kl_target(y), reduction='batchmean')
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += float(loss)
            nb += 1
        p = predict(model, s.images[va])
        m = metrics(p['combined'], s.percent[va])
        log(logf, f'epoch {epoch + 1}/{epochs} loss {tot / nb:.3f} heldout(fold {fold}, monitor only) '
                  f'MAE {m["mae"]:.2f} RMSE {m["rmse"]:.2f} r {m["pearson"]:.3f} '
                  f'lin-MAE {np.abs(p["linear"] - s.percent[va]).mean():.2f} '
                  f'exp-MAE {np.abs(p["expectation"] - s.percent[va]).mean():.2f} {time.time() - t0:.0f}s'
                  + (f' | {hard_negatives.CHECK_SERIES} (monitor only) '
                     f'{json.dumps(hard_negatives.negative_control(predict(model, check)["combined"], check_rows))}'
                     if hard_neg else ''))
        torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'gen': gen.get_state(), 'epoch': epoch},
                   ckpt_path)
    torch.save({'model': model.state_dict(), 'widths': WIDTHS, 'fold': fold, 'kl': use_kl, 'hard_neg': hard_neg},
               final_path)
    return final_path


def cv_v2(tag: str = '', study_crops: bool = False) -> dict:
    """Every finished v2 fold (run-name suffix `tag`; `study_crops`: the v3 runs with whole-series crops): held-out
    metrics (PyTorch fp32) and the negative controls; mean and sd of MAE."""
    paths = {f: os.path.join(RUNS, run_name(f, True, True, study_crops, tag), 'final.pt') for f in FOLDS}
    paths = {f: p for f, p in paths.items() if os.path.exists(p)}
    cv = evaluate_folds(paths)
    for f, p in paths.items():
        model = load_final(p)
        neg = export_model.negative_controls(lambda x: predict(model, x))
        cv[str(f)]['negative_control'] = {c: {k: {m: v[m] for m in ('max_with_lung', 'mean_with_lung', 'pass')}
                                              for k, v in per.items()} for c, per in neg.items()}
    maes = [v['combined']['mae'] for v in cv.values()]
    epochs = {f: export_model.schedule_epochs(os.path.join(os.path.dirname(p), 'log.txt')) for f, p in paths.items()}
    out = {'input_size': INPUT_SIZE, 'widths': WIDTHS, 'epochs': sorted(set(epochs.values())), 'kl': True,
           'study_crops': study_crops,
           'hard_negatives': hard_negatives.TRAIN_SERIES, 'folds': cv,
           'mae_mean': float(np.mean(maes)) if maes else None,
           'mae_sd': float(np.std(maes, ddof=1)) if len(maes) > 1 else None}
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, f'cv_metrics-v2{"-hns" if study_crops else ""}{tag}.json'), 'w') as fh:
        json.dump(out, fh, indent=1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--folds', default=','.join(map(str, FOLDS)))
    ap.add_argument('--epochs', type=int, default=0, help='override EPOCHS_BY_FOLD for every fold')
    ap.add_argument('--kl', action='store_true')
    ap.add_argument('--hard-neg', action='store_true', help=f'add {hard_negatives.TRAIN_SERIES} slices as 0 %% negatives')
    ap.add_argument('--tag', default='', help='run-name suffix (e.g. -e5 for a shorter schedule of the same recipe)')
    ap.add_argument('--hard-neg-study', action='store_true', help='hard negatives as 2-D crops + whole-series crops')
    ap.add_argument('--train-only', action='store_true')
    ap.add_argument('--eval-only', action='store_true')
    ap.add_argument('--no-resume', action='store_true')
    ap.add_argument('--card-only', action='store_true', help='rewrite CARD.md from results/*.json')
    ap.add_argument('--ship-v2', type=int, default=0, metavar='FOLD', help='ship the v2 model of held-out FOLD')
    ap.add_argument('--cv-v2', action='store_true', help='held-out metrics + negative controls of every finished '
                                                          'v2 fold (KL + hard negatives) -> results/cv_metrics-v2.json')
    a = ap.parse_args()
    torch.set_num_threads(int(os.environ.get('TORCH_THREADS', '2')))
    if a.card_only:
        export_model.rewrite_card()
        return
    if a.eval_only:
        export_model.eval_shipped()
        return
    if a.cv_v2:
        print(json.dumps(cv_v2(a.tag, a.hard_neg_study), indent=1))
        return
    if a.ship_v2:
        res = export_model.ship_run(run_name(a.ship_v2, True, True, a.hard_neg_study, a.tag), a.ship_v2)
        export_model.write_card_v2()
        print(json.dumps({k: res[k] for k in ('heldout', 'int8_cost', 'files')}, indent=1))
        return
    folds = [int(f) for f in a.folds.split(',')]
    paths = {f: train_fold(f, a.epochs or EPOCHS_BY_FOLD[f], a.kl, not a.no_resume, a.hard_neg, a.hard_neg_study, a.tag)
             for f in folds}
    if a.train_only:
        return
    os.makedirs(RESULTS, exist_ok=True)
    cv = evaluate_folds(paths)
    tag = '-kl' if a.kl else ''
    with open(os.path.join(RESULTS, f'cv_metrics{tag}.json'), 'w') as f:
        json.dump({'input_size': INPUT_SIZE, 'widths': WIDTHS, 'epochs': {f: a.epochs or EPOCHS_BY_FOLD[f] for f in folds},
                   'kl': a.kl, 'folds': cv}, f,
                  indent=1)
    print(json.dumps(cv, indent=1))
    if not a.kl:
        export_model.export_best(paths, cv)


if __name__ == '__main__':
    main()
