#!/usr/bin/python3
"""CT lesion segmentation (seed 004) on the 50 COVID-SemiSeg train slices: 40 train / 10 held out (by slice).

  /usr/bin/python3 training/ct_segmentation/train.py              # train (resumes), evaluate, export
  /usr/bin/python3 training/ct_segmentation/train.py --eval-only  # held-out metrics of the shipped ONNX files
  options: --iters N --train-only --no-resume

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

from data import INPUT_SIZE, RUNS, augment, load_all, split, to_input, to_target  # noqa: E402
from model import SegUNet, n_params  # noqa: E402

SEED = 20261123
WIDTHS = (12, 24, 48, 96, 128)
BATCH = 8
CROP = 128
LR = 2e-3
CKPT_EVERY = 50
RESULTS = os.path.join(HERE, 'results')
THRESHOLD = 0.5


def dice_loss(logit: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    p = torch.sigmoid(logit).flatten(1)
    t = target.flatten(1)
    return (1 - (2 * (p * t).sum(1) + 1) / (p.sum(1) + t.sum(1) + 1)).mean()


def lesion_loss(logit: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    if logit.shape[-1] != target.shape[-1]:
        logit = F.interpolate(logit, size=target.shape[-2:], mode='bilinear', align_corners=False)
    return 0.5 * F.binary_cross_entropy_with_logits(logit, target) + dice_loss(logit, target)


def binary_metrics(pred: np.ndarray, gt: np.ndarray) -> dict:
    tp = float(np.logical_and(pred, gt).sum())
    fp = float(np.logical_and(pred, ~gt).sum())
    fn = float(np.logical_and(~pred, gt).sum())
    return {'tp': tp, 'fp': fp, 'fn': fn}


def summarize(counts: list[dict]) -> dict:
    """Mean over slices (the seed's convention) and pooled over all pixels."""
    def m(c):
        tp, fp, fn = c['tp'], c['fp'], c['fn']
        return {'dice': 2 * tp / max(2 * tp + fp + fn, 1), 'iou': tp / max(tp + fp + fn, 1),
                'sensitivity': tp / max(tp + fn, 1), 'precision': tp / max(tp + fp, 1)}
    per = [m(c) for c in counts]
    pooled = m({k: sum(c[k] for c in counts) for k in ('tp', 'fp', 'fn')})
    return {'mean_over_slices': {k: float(np.mean([p[k] for p in per])) for k in per[0]},
            'pooled_pixels': pooled, 'per_slice_dice': [p['dice'] for p in per]}


def decode(lesion_logit: np.ndarray, class_logit: np.ndarray, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Model-resolution logits -> (lesion bool (h,w), class map (h,w) 0/1/2) at the image's own size, exactly as
    the TypeScript analysis does: bilinear half-pixel upsampling of logits, sigmoid > THRESHOLD, and among lesion
    pixels GGO vs consolidation by the larger class logit."""
    lz = F.interpolate(torch.from_numpy(lesion_logit), size=(h, w), mode='bilinear', align_corners=False)[0, 0]
    cz = F.interpolate(torch.from_numpy(class_logit), size=(h, w), mode='bilinear', align_corners=False)[0]
    lesion = (torch.sigmoid(lz) > THRESHOLD).numpy()
    cls = np.where(lesion, np.where(cz[2] > cz[1], 2, 1), 0).astype(np.uint8)
    return lesion, cls


def evaluate(run_model, slices) -> dict:
    """run_model(x (1,1,S,S) float32 numpy) -> (lesion logits, class logits) numpy."""
    les, ggo, con = [], [], []
    for s in slices:
        lz, cz = run_model(to_input(s.image).numpy())
        lesion, cls = decode(lz, cz, *s.image.shape)
        les.append(binary_metrics(lesion, s.classes > 0))
        ggo.append(binary_metrics(cls == 1, s.classes == 1))
        con.append(binary_metrics(cls == 2, s.classes == 2))
    return {'lesion': summarize(les), 'ggo': summarize(ggo), 'consolidation': summarize(con),
            'n_slices': len(slices), 'names': [s.name for s in slices], 'threshold': THRESHOLD}


def torch_runner(model: SegUNet):
    model.eval()

    @torch.no_grad()
    def run(x: np.ndarray):
        a, b = model(torch.from_numpy(x))
        return a.numpy(), b.numpy()
    return run


def train(iters: int, resume: bool) -> str:
    run = os.path.join(RUNS, 'main')
    os.makedirs(run, exist_ok=True)
    ckpt_path, final_path, logf = os.path.join(run, 'ckpt.pt'), os.path.join(run, 'final.pt'), os.path.join(run, 'log.txt')
    if os.path.exists(final_path):
        return final_path
    tr, ho = split(load_all())
    xs = torch.cat([to_input(s.image) for s in tr])
    ys = torch.cat([to_target(s.classes) for s in tr])
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
                    f'batch={BATCH} iters={iters} lr={LR}\n')
    t0, tot = time.time(), 0.0
    for it in range(start, iters):
        model.train()
        warm = 50
        lr = LR * (it + 1) / warm if it < warm else LR * 0.5 * (1 + math.cos(math.pi * (it - warm) / (iters - warm)))
        for g in opt.param_groups:
            g['lr'] = lr
        idx = torch.randint(len(xs), (BATCH,), generator=gen)
        x, y = augment(xs[idx], ys[idx], gen)
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
    torch.save({'model': model.state_dict(), 'widths': WIDTHS}, final_path)
    return final_path


def load_final(path: str) -> SegUNet:
    ck = torch.load(path)
    m = SegUNet(tuple(ck['widths']))
    m.load_state_dict(ck['model'])
    return m.eval()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--iters', type=int, default=600)
    ap.add_argument('--train-only', action='store_true')
    ap.add_argument('--eval-only', action='store_true')
    ap.add_argument('--no-resume', action='store_true')
    ap.add_argument('--card-only', action='store_true', help='regenerate card images + CARD.md from results')
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.card_only:
        from export_model import rewrite_card
        rewrite_card()
        return
    if a.eval_only:
        from export_model import eval_shipped
        eval_shipped()
        return
    path = train(a.iters, not a.no_resume)
    if a.train_only:
        return
    _, ho = split(load_all())
    ev = evaluate(torch_runner(load_final(path)), ho)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, 'heldout_metrics_pytorch.json'), 'w') as f:
        json.dump(ev, f, indent=1)
    print(json.dumps({k: ev[k]['mean_over_slices'] for k in ('lesion', 'ggo', 'consolidation')}, indent=1))
    from export_model import export
    export(path)


if __name__ == '__main__':
    main()
