#!/usr/bin/env python3
"""Independent lung volume of a CT series, to check LungLens' 3-D lung segmentation (src/core/study).

Shares no code and no decoder with it: pydicom + numpy only, a different threshold (-400 HU, common in
lung volumetry) and a different algorithm: 3-D connected components (6-connected) of air runs; components
touching the image border are outside the body; the lungs are the components of at least 10 % of the
largest one; per slice, holes inside the lungs (vessels) are filled. The trachea and main bronchi are NOT
removed (they are connected to the lungs), so this reference is a little larger than a lung mask without them;
it also prints the air-only volume (holes not filled), a lower bound.

Usage: python3 lung_volume_reference.py <folder of one series>   -> one JSON line
"""
import json
import os
import sys

import numpy as np
import pydicom

THRESHOLD_HU = int(sys.argv[2]) if len(sys.argv) > 2 else -400


def read_series(folder):
    slices = []
    for name in sorted(os.listdir(folder)):
        try:
            ds = pydicom.dcmread(os.path.join(folder, name))
        except Exception:
            continue
        if 'PixelData' not in ds or 'ImagePositionPatient' not in ds:
            continue
        hu = ds.pixel_array.astype(np.float32) * float(getattr(ds, 'RescaleSlope', 1)) + float(getattr(ds, 'RescaleIntercept', 0))
        o = [float(v) for v in ds.ImageOrientationPatient]
        normal = np.cross(o[:3], o[3:])
        z = float(np.dot([float(v) for v in ds.ImagePositionPatient], normal))
        slices.append((z, hu, [float(v) for v in ds.PixelSpacing]))
    slices.sort(key=lambda s: s[0])
    return slices


def runs_of(mask):
    """Per row: (row, start, end) of each run of True (end exclusive)."""
    out = []
    for r in range(mask.shape[0]):
        row = np.concatenate(([0], mask[r].astype(np.int8), [0]))
        d = np.diff(row)
        starts = np.flatnonzero(d == 1)
        ends = np.flatnonzero(d == -1)
        out.extend((r, int(s), int(e)) for s, e in zip(starts, ends))
    return out


class UnionFind:
    def __init__(self):
        self.parent = []

    def add(self):
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, i):
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def link_rows(runs, ids, uf):
    """4-connectivity within a slice: runs in neighbouring rows that overlap."""
    by_row = {}
    for run, i in zip(runs, ids):
        by_row.setdefault(run[0], []).append((run[1], run[2], i))
    for r, cur in by_row.items():
        prev = by_row.get(r - 1, [])
        j = 0
        for s, e, i in cur:
            while j < len(prev) and prev[j][1] <= s:
                j += 1
            k = j
            while k < len(prev) and prev[k][0] < e:
                uf.union(i, prev[k][2])
                k += 1


def fill_holes_area(mask):
    """Area of mask with its 2-D holes (background not 4-connected to the border) filled."""
    bg = ~mask
    runs = runs_of(bg)
    uf = UnionFind()
    ids = [uf.add() for _ in runs]
    link_rows(runs, ids, uf)
    h, w = mask.shape
    outside = {uf.find(i) for (r, s, e), i in zip(runs, ids) if r == 0 or r == h - 1 or s == 0 or e == w}
    holes = sum(e - s for (r, s, e), i in zip(runs, ids) if uf.find(i) not in outside)
    return int(mask.sum()) + holes


def main(folder):
    slices = read_series(folder)
    zs = np.array([s[0] for s in slices])
    steps = np.diff(zs)
    nominal = float(np.median(steps))
    weights = [((steps[i - 1] if i > 0 else nominal) + (steps[i] if i < len(steps) else nominal)) / 2 for i in range(len(slices))]
    uf = UnionFind()
    all_runs = []
    prev = None
    for k, (_, hu, _) in enumerate(slices):
        runs = runs_of(hu < THRESHOLD_HU)
        ids = [uf.add() for _ in runs]
        link_rows(runs, ids, uf)
        if prev is not None:  # 6-connectivity across slices: same row, overlapping columns
            prow = {}
            for (r, s, e), i in zip(*prev):
                prow.setdefault(r, []).append((s, e, i))
            for (r, s, e), i in zip(runs, ids):
                for ps, pe, pi in prow.get(r, []):
                    if ps < e and s < pe:
                        uf.union(i, pi)
        all_runs.append((runs, ids))
        prev = (runs, ids)
    h, w = slices[0][1].shape
    outside = set()
    volume = {}
    for k, (runs, ids) in enumerate(all_runs):
        for (r, s, e), i in zip(runs, ids):
            root = uf.find(i)
            if r == 0 or r == h - 1 or s == 0 or e == w:
                outside.add(root)
            volume[root] = volume.get(root, 0.0) + (e - s) * weights[k]
    inside = sorted(((v, root) for root, v in volume.items() if root not in outside), reverse=True)
    lungs = {root for v, root in inside if v >= 0.1 * inside[0][0]}
    filled_ml = 0.0
    air_ml = 0.0
    for k, (runs, ids) in enumerate(all_runs):
        mask = np.zeros((h, w), dtype=bool)
        for (r, s, e), i in zip(runs, ids):
            if uf.find(i) in lungs:
                mask[r, s:e] = True
        px = slices[k][2][0] * slices[k][2][1]
        air_ml += mask.sum() * px * weights[k] / 1000
        filled_ml += fill_holes_area(mask) * px * weights[k] / 1000
    print(json.dumps({'slices': len(slices), 'sliceSpacingMm': nominal, 'components': len(lungs),
                      'airOnlyMl': round(air_ml, 1), 'filledMl': round(filled_ml, 1)}))


if __name__ == '__main__':
    main(sys.argv[1])
