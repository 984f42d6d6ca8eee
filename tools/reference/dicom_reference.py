#!/usr/bin/env python3
"""Independent pydicom reference for LungLens' DICOM pixel pipeline.

For every DICOM file listed in ../shared/data/dicom-samples/index.csv that pydicom (Debian
2.3, numpy, Pillow; no gdcm/pylibjpeg) can decode, prints JSON with stats of the *modality
values* over all frames (apply_modality_lut over the whole array: padding included, no VOI,
MONOCHROME1 not inverted) and 256 evenly spaced modality values of frame 0 for a stronger
check. Enhanced multi-frame objects keep Rescale Slope/Intercept in the Pixel Value
Transformation functional group, which pydicom 2.3's apply_modality_lut does not read; this
script applies it explicitly (per PS3.3 C.7.6.16.2.9). Files pydicom cannot decode are
listed with "decodable": false and the reason.

Stored values are first reduced to Bits Stored (PS3.5 8.1.1 / PS3.3 C.7.6.3.1: only bits
0..HighBit count; signed data is two's complement in BitsStored bits). pydicom 2.3's numpy
handler returns the raw 16-bit words instead; this only changes mlut_18 (12 in 16 signed, whose
words include e.g. 0x0FFF = -1), and "rawPydicomStats" keeps pydicom's unmasked result.

Also: apply_voi_lut for files with a VOI LUT Sequence (vlut_04) as voiSample.

Usage: /usr/bin/python3 tools/reference/dicom_reference.py [samples_dir] > tools/reference/dicom_reference.json
"""
import csv
import json
import os
import sys

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut

SAMPLES = 256


def functional_group_rescale(ds):
    """(slope, intercept) from Shared/Per-frame Pixel Value Transformation, else None."""
    for seq_name in ('PerFrameFunctionalGroupsSequence', 'SharedFunctionalGroupsSequence'):
        seq = ds.get(seq_name)
        if not seq:
            continue
        pvt = seq[0].get('PixelValueTransformationSequence')
        if pvt:
            item = pvt[0]
            return float(item.get('RescaleSlope', 1)), float(item.get('RescaleIntercept', 0))
    return None


def modality_values(ds, arr):
    if 'RescaleSlope' not in ds and 'ModalityLUTSequence' not in ds:
        fg = functional_group_rescale(ds)
        if fg is not None:
            slope, intercept = fg
            return arr.astype(np.float64) * slope + intercept
    return apply_modality_lut(arr, ds)


def to_bits_stored(ds, arr):
    bits, alloc = int(ds.BitsStored), int(ds.BitsAllocated)
    if bits >= alloc or arr.dtype.kind not in 'iu':
        return arr
    words = arr.astype(np.int64) & ((1 << bits) - 1)
    if int(ds.PixelRepresentation) == 1:
        words = np.where(words >= (1 << (bits - 1)), words - (1 << bits), words)
    return words.astype(arr.dtype)


def sample(values):
    flat = np.asarray(values).reshape(-1)
    idx = (np.arange(SAMPLES) * (flat.size // SAMPLES)).astype(np.int64)
    return [float(v) for v in flat[idx]]


def describe(path, rel):
    ds = pydicom.dcmread(path)
    out = {
        'file': rel,
        'transferSyntax': str(ds.file_meta.TransferSyntaxUID),
        'photometric': str(ds.PhotometricInterpretation),
        'rows': int(ds.Rows),
        'columns': int(ds.Columns),
        'frames': int(ds.get('NumberOfFrames', 1) or 1),
        'bitsStored': int(ds.BitsStored),
    }
    try:
        arr = ds.pixel_array
    except Exception as e:  # noqa: BLE001 - any handler failure means "not decodable here"
        out['decodable'] = False
        out['reason'] = str(e).splitlines()[0]
        return out
    raw_mod = modality_values(ds, arr)
    arr = to_bits_stored(ds, arr)
    mod = modality_values(ds, arr)
    if not np.array_equal(raw_mod, mod):
        out['rawPydicomStats'] = {'min': float(np.min(raw_mod)), 'max': float(np.max(raw_mod)), 'mean': float(np.mean(raw_mod, dtype=np.float64))}
    frame0 = mod[0] if out['frames'] > 1 else mod
    out.update({
        'decodable': True,
        'stats': {'min': float(np.min(mod)), 'max': float(np.max(mod)), 'mean': float(np.mean(mod, dtype=np.float64))},
        'sample': sample(frame0),
    })
    if 'VOILUTSequence' in ds:
        voi = apply_voi_lut(arr, ds)
        out['voiSample'] = sample(voi)
        out['voiStats'] = {'min': float(voi.min()), 'max': float(voi.max()), 'mean': float(voi.mean(dtype=np.float64))}
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'data', 'dicom-samples')
    root = os.path.abspath(root)
    with open(os.path.join(root, 'index.csv'), newline='') as f:
        rows = [r for r in csv.DictReader(f) if r['file'].endswith('.dcm')]
    results = []
    for r in rows:
        path = os.path.join(root, r['file'])
        if not os.path.exists(path):
            continue
        results.append(describe(path, r['file']))
    json.dump({'pydicom': pydicom.__version__, 'numpy': np.__version__, 'files': results}, sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
