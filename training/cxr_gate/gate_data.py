"""The input gate's data: real radiographs (COVID-QU-Ex, 64 px) and the made-up / wrong-modality negatives.

Positives: the staged COVID-QU-Ex Train radiographs (256 px, 8-bit), area-resized to 64 px by a 4x4 mean (=
the app's `area` resize for an exact 4x downscale), split by the CXR classifier's 5 class-stratified folds
(training/cxr/cls_folds.json: by image, COVID-QU-Ex has no patient ids): folds 1-3 train the autoencoder,
fold 4 calibrates the threshold, fold 5 measures the false-reject rate. Read-only use of training/cxr.

Negatives and the real DICOM radiographs go through the app's own code (gate_inputs.ts: ingest ->
cxrGray8 -> area resize), so DICOM rendering and 16-bit PNGs are exactly what the CLI sees. Made-up
negatives are written as PNG files under the runs folder (never the repo) first.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, REPO)
from training.common.runs import runs_dir  # noqa: E402

DATA = os.path.abspath(os.path.join(REPO, '..', 'shared', 'data'))
QUEX = os.path.join(DATA, 'covid-qu-ex')
FOLDS_PATH = os.path.join(REPO, 'training', 'cxr', 'cls_folds.json')
RUNS = runs_dir('cxr_gate')
SIZE = 64
TRAIN_FOLDS, CALIB_FOLD, TEST_FOLD = (0, 1, 2), 3, 4
# x = (gray8/255 - 0.5)/0.25, the four CXR models' normalisation (manifest `intensity`)
MEAN, STD = 0.5, 0.25


def normalize(gray: np.ndarray) -> np.ndarray:
    return ((gray.astype(np.float32) / 255.0) - MEAN) / STD


def _pool4(img: np.ndarray) -> np.ndarray:
    """(256, 256) uint8 -> (64, 64) float32 4x4 mean."""
    return img.astype(np.float32).reshape(SIZE, 4, SIZE, 4).mean(axis=(1, 3))


def load_positives() -> tuple[list[str], np.ndarray, list[int]]:
    """names, (N, 64, 64) float32 0..255, fold index per image (0-based)."""
    cache = os.path.join(RUNS, f'quex{SIZE}.npz')
    folds = json.load(open(FOLDS_PATH))['folds']
    fold_of = {n: k for k, names in enumerate(folds) for n in names}
    if os.path.exists(cache):
        z = np.load(cache)
        names = [str(n) for n in z['names']]
        if len(names) == len(fold_of):
            return names, z['x'], [fold_of[n] for n in names]
    with open(os.path.join(QUEX, 'files.csv')) as f:
        names = sorted(r['image'] for r in csv.DictReader(f))
    x = np.stack([_pool4(np.asarray(Image.open(os.path.join(QUEX, n)).convert('L'), np.uint8)) for n in names])
    np.savez(cache, names=np.asarray(names), x=x)
    return names, x, [fold_of[n] for n in names]


# ---- negatives ---------------------------------------------------------------------------------------

def _save(path: str, arr: np.ndarray) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(arr).save(path)
    return path


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Low-frequency noise: a cells x cells random grid upsampled bicubically (0..255)."""
    small = Image.fromarray((rng.random((cells, cells)) * 255).astype(np.uint8))
    return np.asarray(small.resize((w, h), Image.BICUBIC), np.float32)


def make_synthetic(out_dir: str, seed: int = 20261201) -> list[tuple[str, str]]:
    """Made-up negatives as PNG files: (group, path). Groups name the kind the card reports."""
    rng = np.random.default_rng(seed)
    items: list[tuple[str, str]] = []
    sizes = [(256, 256), (512, 512), (600, 800), (1024, 1024)]

    def add(group: str, k: int, arr: np.ndarray) -> None:
        items.append((group, _save(os.path.join(out_dir, group, f'{k:03d}.png'), arr)))

    for k in range(20):
        h, w = sizes[k % 4]
        add('blank', k, np.full((h, w), int(rng.integers(0, 256)), np.uint8))
        base = int(rng.integers(10, 246))
        add('near-constant', k, np.clip(base + rng.integers(-2, 3, (h, w)), 0, 255).astype(np.uint8))
        add('uniform-noise-8bit', k, rng.integers(0, 256, (h, w), dtype=np.uint8))
        add('gaussian-noise-8bit', k, np.clip(rng.normal(rng.uniform(60, 200), rng.uniform(20, 70), (h, w)), 0, 255).astype(np.uint8))
        # 16-bit garbage: random samples over the whole or part of the 16-bit range, and sparse spikes
        hi = int(rng.choice([4095, 65535]))
        g16 = rng.integers(0, hi + 1, (h, w)).astype(np.uint16)
        if k % 2:
            g16 = np.where(rng.random((h, w)) < 0.05, g16, 0).astype(np.uint16)
        add('garbage-16bit', k, g16)
        add('smooth-noise', k, _smooth_noise(rng, h, w, int(rng.integers(3, 12))).astype(np.uint8))
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        kind = k % 4
        if kind == 0:
            pat = xx / w * 255
        elif kind == 1:
            pat = np.hypot(xx - w / 2, yy - h / 2) / np.hypot(w / 2, h / 2) * 255
        elif kind == 2:
            pat = ((xx // int(rng.integers(8, 64)) + yy // int(rng.integers(8, 64))) % 2) * 255
        else:
            pat = (np.sin(xx / rng.uniform(5, 40)) * np.cos(yy / rng.uniform(5, 40)) + 1) * 127.5
        add('pattern', k, pat.astype(np.uint8))
        # shapes: random rectangles and discs on a random background (a made-up "non-chest" scene)
        img = np.full((h, w), rng.uniform(0, 255), np.float32)
        for _ in range(int(rng.integers(3, 12))):
            cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.05, 0.3) * min(h, w)
            m = (np.hypot(xx - cx, yy - cy) < r) if rng.random() < 0.5 else ((abs(xx - cx) < r) & (abs(yy - cy) < r * rng.uniform(0.3, 1.5)))
            img[m] = rng.uniform(0, 255)
        add('shapes', k, img.astype(np.uint8))
    return items


def real_negative_files() -> list[tuple[str, str]]:
    """Real images that are not chest radiographs, given to the CXR analysis: (group, path)."""
    ds = os.path.join(DATA, 'dicom-samples')
    items = [('head-ct-dicom', os.path.join(ds, 'multiframe-encapsulated', 'CT0012.explicit_little_endian.dcm'))]
    items += [('synthetic-dicom-lut', os.path.join(ds, 'lut', f)) for f in ('mlut_18.dcm', 'vlut_04.dcm')]
    items += [('chest-ct-dicom', os.path.join(ds, 'ct-chest-transfer-syntaxes',
                                              'CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm'))]
    sbu = os.path.join(ds, 'covid19-ny-sbu-ct')
    items += [('chest-ct-dicom', os.path.join(sbu, f)) for f in sorted(os.listdir(sbu)) if f.endswith('.dcm')]
    for series in ('lidc-idri-0001', 'lung-pet-ct-dx-a0002'):
        d = os.path.join(DATA, 'ct-series', series)
        items += [('chest-ct-dicom', os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.endswith('.dcm')]
    with open(os.path.join(DATA, 'per-covid-19', 'labels.csv')) as f:
        pcv = [r['image'] for r in csv.DictReader(f)]
    items += [('chest-ct-png', os.path.join(DATA, 'per-covid-19', p)) for p in pcv[::20]]
    with open(os.path.join(DATA, 'covid-semiseg-infnet', 'files.csv')) as f:
        inf = [os.path.join(DATA, 'covid-semiseg-infnet', r['image']) for r in csv.DictReader(f)]
    items += [('chest-ct-png', p) for p in inf if os.path.exists(p)]
    return items


def real_cxr_dicom_files() -> list[tuple[str, str]]:
    d = os.path.join(DATA, 'dicom-samples', 'cr-dx-chest')
    return [('real-cxr-dicom', os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.endswith('.dcm')]


def app_inputs(items: list[tuple[str, str]], tag: str) -> tuple[list[dict], np.ndarray]:
    """Each file through the app's CXR preprocessing (gate_inputs.ts): index rows, (N, 64, 64) 0..255."""
    listing = os.path.join(RUNS, f'{tag}.list')
    with open(listing, 'w') as f:
        f.write(''.join(f'{g}\t{p}\n' for g, p in items))
    prefix = os.path.join(RUNS, tag)
    subprocess.run(['npx', 'tsx', os.path.join(HERE, 'gate_inputs.ts'), listing, prefix, str(SIZE)],
                   cwd=REPO, check=True)
    index = json.load(open(prefix + '.json'))
    x = np.fromfile(prefix + '.f32', dtype='<f4').reshape(-1, SIZE, SIZE)
    return index, x
