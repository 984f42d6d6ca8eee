#!/usr/bin/python3
"""CT lesion segmentation (seed 004) on the 50 COVID-SemiSeg train slices: 40 train / 10 held out (by slice).

  /usr/bin/python3 training/ct_segmentation/train.py --hard-neg 2 --iters 800   # v2: train (resumes), evaluate, ship
  /usr/bin/python3 training/ct_segmentation/train.py --hard-neg 2 --iters 800 --fold K --train-only  # CV fold K
  /usr/bin/python3 training/ct_segmentation/train.py --cv         # held-out metrics of every finished v2 fold
  /usr/bin/python3 training/ct_segmentation/train.py --eval-only  # held-out metrics of the shipped ONNX files
  options: --iters N --train-only --no-resume (without --hard-neg: the v1 recipe, run 'main')

Training samples random CROP x CROP patches of the INPUT_SIZE-resized, heavily augmented slices (the network
is fully convolutional; inference runs on the whole INPUT_SIZE image). Loss on the final lesion map and on two
deep-supervision maps: BCE x 0.5 + Dice (weights 0.5 final, 0.25 each auxiliary, as in the seed), plus
0.5 x cross-entropy for the background / GGO / consolidation head. The last iteration is shipped; the
held-out slices are only logged during training, never used to choose.
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

from data import INPUT_SIZE, RUNS, augment, load_all, load_hard_negatives, split, to_input, to_target  # noqa: E402
from model import SegUNet, n_params  # noqa: E402
import export_model  # noqa: E402
from evaluate import evaluate, load_final, torch_runner  # noqa: E402

SEED = 20261123
WIDTHS = (12, 24, 48, 96, 128)
BATCH = 8
CROP = 128
LR = 2e-3
CKPT_EVERY = 50
RESULTS = os.path.join(HERE, 'results')


def dice_loss(logit: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    p = torch.sigmoid(logit).flatten(1)
    t = target.flatten(1)
    return (1 - (2 * (p * t).sum(1) + 1) / (p.sum(1) + t.sum(1) + 1)).mean()


def lesion_loss(logit: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    if logit.shape[-1] != target.shape[-1]:
        logit = F.interpolate(logit, size=target.shape[-2:], mode='bilinear', align_corners=False)
    return 0.5 * F.binary_cross_entropy_with_logits(logit, target) + dice_loss(logit, target)


def run_name(hard_neg: int, fold: int) -> str:
    return ('v2-hn' if hard_neg else 'main') + (f'-fold{fold}' if fold else '')


def train(iters: int, resume: bool, hard_neg: int = 0, fold: int = 0) -> str:
    """hard_neg > 0: that many of each batch's BATCH samples are real non-COVID lung crops with empty masks
    (LIDC-IDRI-0001 only; A0002 stays the held-out negative control) -- run 'v2-hn'. fold k > 0: the k-th
    cross-validation block of 10 slices is held out instead of fold 0 (run '<name>-fold<k>')."""
    run = os.path.join(RUNS, run_name(hard_neg, fold))
    os.makedirs(run, exist_ok=True)
    ckpt_path, final_path, logf = os.path.join(run, 'ckpt.pt'), os.path.join(run, 'final.pt'), os.path.join(run, 'log.txt')
    if os.path.exists(final_path):
        return final_path
    tr, ho = split(load_all(), fold)
    xs = torch.cat([to_input(s.image) for s in tr])
    ys = torch.cat([to_target(s.classes) for s in tr])
    negs = torch.cat([to_input(u8) for u8 in load_hard_negatives()]) if hard_neg else None
    torch.manual_seed(SEED)
    model = SegUNet(WIDTHS)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=1e-4)
    gen = torch.Generator().manual_seed(SEED)
    start = 0
    if resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        gen.set_state(ck['gen'])
        start = ck['iter']
        print(f'resumed at iter {start}', file=open(logf, 'a'))
    else:
        with open(logf, 'a') as f:
            f.write(f'params={n_params(model)} train={len(tr)} heldout={len(ho)} input={INPUT_SIZE} crop={CROP} '
                    f'batch={BATCH} iters={iters} lr={LR} hard_neg_per_batch={hard_neg}'
                    f'{f" negatives={len(negs)}" if negs is not None else ""}\n')
    t0, tot = time.time(), 0.0
    for it in range(start, iters):
        model.train()
        warm = 50
        lr = LR * (it + 1) / warm if it < warm else LR * 0.5 * (1 + math.cos(math.pi * (it - warm) / (iters - warm)))
        for g in opt.param_groups:
            g['lr'] = lr
        idx = torch.randint(len(xs), (BATCH - hard_neg,), generator=gen)
        xb, yb = xs[idx], ys[idx]
        if negs is not None:
            nidx = torch.randint(len(negs), (hard_neg,), generator=gen)
            xb = torch.cat([xb, negs[nidx]])
            yb = torch.cat([yb, torch.zeros((hard_neg, INPUT_SIZE, INPUT_SIZE), dtype=yb.dtype)])
        x, y = augment(xb, yb, gen)
        oy, ox = torch.randint(INPUT_SIZE - CROP + 1, (2,), generator=gen).tolist()
        x, y = x[..., oy:oy + CROP, ox:ox + CROP], y[..., oy:oy + CROP, ox:ox + CROP]
        lesion_t = (y > 0).float()[:, None]
        les, cls, aux4, aux2 = model(x)
        loss = 0.5 * lesion_loss(les, lesion_t) + 0.25 * lesion_loss(aux4, lesion_t) + 0.25 * lesion_loss(aux2, lesion_t)
        loss = loss + 0.5 * F.cross_entropy(cls, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += float(loss)
        if (it + 1) % CKPT_EVERY == 0 or it + 1 == iters:
            ev = evaluate(torch_runner(model), ho)
            msg = (f'iter {it + 1}/{iters} loss {tot / CKPT_EVERY:.4f} heldout (monitor only) dice '
                   f'{ev["lesion"]["mean_over_slices"]["dice"]:.3f} pooled {ev["lesion"]["pooled_pixels"]["dice"]:.3f} '
                   f'{time.time() - t0:.0f}s')
            print(msg, flush=True)
            with open(logf, 'a') as f:
                f.write(msg + '\n')
            tot, t0 = 0.0, time.time()
            torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'gen': gen.get_state(), 'iter': it + 1},
                       ckpt_path)
    torch.save({'model': model.state_dict(), 'widths': WIDTHS, 'hard_neg': hard_neg, 'iters': iters}, final_path)
    return final_path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--iters', type=int, default=600)
    ap.add_argument('--train-only', action='store_true')
    ap.add_argument('--eval-only', action='store_true')
    ap.add_argument('--no-resume', action='store_true')
    ap.add_argument('--hard-neg', type=int, default=0, metavar='K',
                    help='K of every batch are LIDC-IDRI-0001 lung crops with empty masks (run v2-hn)')
    ap.add_argument('--fold', type=int, default=0, help='held-out cross-validation fold (0 = the original hold-out)')
    ap.add_argument('--cv', action='store_true', help='held-out metrics of every finished v2 fold -> results/cv_metrics.json')
    ap.add_argument('--card-only', action='store_true', help='regenerate card images + CARD.md from results')
    a = ap.parse_args()
    torch.set_num_threads(int(os.environ.get('TORCH_THREADS', '2')))
    if a.cv:
        print(json.dumps(export_model.cross_validate(), indent=1))
        return
    if a.card_only:
        export_model.rewrite_card()
        return
    if a.eval_only:
        export_model.eval_shipped()
        return
    path = train(a.iters, not a.no_resume, a.hard_neg, a.fold)
    if a.train_only:
        return
    _, ho = split(load_all(), a.fold)
    ev = evaluate(torch_runner(load_final(path)), ho)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, 'heldout_metrics_pytorch.json'), 'w') as f:
        json.dump(ev, f, indent=1)
    print(json.dumps({k: ev[k]['mean_over_slices'] for k in ('lesion', 'ggo', 'consolidation')}, indent=1))
    export_model.export(path, run_name(a.hard_neg, a.fold))


if __name__ == '__main__':
    main()
