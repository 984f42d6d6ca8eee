"""Resumable per-epoch training loop shared by the four CXR trainings."""
from __future__ import annotations

import math
import os
import time
from typing import Callable

import numpy as np
import torch

from data import RUNS


def train(name: str, model: torch.nn.Module, n_train: int, epochs: int, batch: int, lr: float,
          step: Callable[[torch.nn.Module, np.ndarray, np.random.Generator], torch.Tensor],
          seed: int = 0, weight_decay: float = 1e-4, out_dir: str | None = None, threads: int = 1,
          on_epoch: Callable[[torch.nn.Module, int], str] | None = None) -> torch.nn.Module:
    """`step(model, batch_indices, rng)` returns the loss. Checkpoint after every epoch in `out_dir`
    (default <runs>/cxr/<name>/), so an interrupted run resumes after its last finished epoch.
    `on_epoch(model, epoch)` may return a note for the log line (e.g. a held-out figure that is only logged)."""
    torch.set_num_threads(threads)
    out = out_dir or os.path.join(RUNS, name)
    os.makedirs(out, exist_ok=True)
    ck_path = os.path.join(out, 'last.ckpt')
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    start = 0
    if os.path.exists(ck_path):
        ck = torch.load(ck_path)
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        start = ck['epoch'] + 1
        print(f'[{name}] resumed after epoch {ck["epoch"]}', flush=True)
    steps_per_epoch = math.ceil(n_train / batch)
    total = epochs * steps_per_epoch
    for epoch in range(start, epochs):
        rng = np.random.default_rng(seed * 1000 + epoch)
        torch.manual_seed(seed * 1000 + epoch)
        order = rng.permutation(n_train)
        model.train()
        t0, losses = time.time(), []
        for k in range(steps_per_epoch):
            it = epoch * steps_per_epoch + k
            warm = min(1.0, (it + 1) / (2 * steps_per_epoch))
            for g in opt.param_groups:
                g['lr'] = lr * warm * 0.5 * (1 + math.cos(math.pi * it / total))
            loss = step(model, order[k * batch:(k + 1) * batch], rng)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss))
        tmp = ck_path + '.tmp'  # write then rename: a kill mid-save never leaves a broken checkpoint
        torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'epoch': epoch}, tmp)
        os.replace(tmp, ck_path)
        note = ''
        if on_epoch is not None:
            model.eval()
            note = ' ' + on_epoch(model, epoch)
        print(f'[{name}] epoch {epoch + 1}/{epochs} loss {np.mean(losses):.4f} {time.time() - t0:.0f}s{note}',
              flush=True)
    model.eval()
    return model


def final_weights_path(name: str) -> str:
    return os.path.join(RUNS, name, 'last.ckpt')
