"""Export the segmentation model (ONNX fp32 + int8 weights), check it with onnxruntime-node on the held-out
slices, write results, parity fixtures, manifest entry and card. `eval_shipped()` recomputes the card numbers
from the shipped int8 file."""
from __future__ import annotations

import glob
import json
import os
import shutil
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..'))
sys.path.insert(0, HERE)

from training.common import MODELS_DIR, REPO_ROOT, md_table, run_onnx, sha256_file  # noqa: E402
from evaluate import decode, evaluate, evaluate_outputs, load_final  # noqa: E402
from training.common.ship import Int8Budget, ShipSpec, ship  # noqa: E402
from data import DATA, HOLDOUT_N, INPUT_SIZE, MEAN, RUNS, SCALE, STD, load_all, split, to_input  # noqa: E402
from model import n_params  # noqa: E402

MODEL_ID = 'ct-lesion-segmentation'
VERSION = '1.0.0'
OUT_DIR = os.path.join(MODELS_DIR, MODEL_ID)
RESULTS = os.path.join(HERE, 'results')
FIXTURES = os.path.join(REPO_ROOT, 'src', 'core', 'analyses', 'ct', 'fixtures')
INT8 = os.path.join(OUT_DIR, 'model.int8.onnx')
FP32 = os.path.join(RUNS, 'export', 'model.fp32.onnx')  # not bundled (size budget); parity only
OUTPUTS = ['lesion', 'classes']
WINDOW_HU = {'lo': -1090, 'hi': 270}
PARITY_N = 3


def onnx_runner(path: str):
    def run(x: np.ndarray):
        o = run_onnx(path, {'image': x})
        return o['lesion'], o['classes']
    return run


def export(final_path: str) -> None:
    """The shared ship step (training/common/ship.py: export, int8 within 0.005 lesion Dice of fp32, parity,
    manifest entry + provenance), then results/shipped.json, fixtures, card images and the card."""
    model = load_final(final_path)
    _, ho = split(load_all())
    x = np.concatenate([to_input(s.image).numpy() for s in ho])

    def score(o: dict) -> dict:
        ev = strip(evaluate_outputs([o['lesion'][i:i + 1] for i in range(len(ho))],
                                    [o['classes'][i:i + 1] for i in range(len(ho))], ho))
        return {'lesion_dice': ev['lesion']['mean_over_slices']['dice'], 'full': ev}

    r = ship(ShipSpec(
        model_id=MODEL_ID, model=model, input_name='image', chw=(1, INPUT_SIZE, INPUT_SIZE), output_names=OUTPUTS,
        fp32_path=FP32, heldout_inputs=x, score=score, budget=Int8Budget('lesion_dice', 0.005, higher_is_better=True),
        entry=manifest_entry(), data_paths=[os.path.join(DATA, 'files.csv'), os.path.join(DATA, 'train')],
        training={'run': 'main', 'hardware': '2 shared CPU cores, torch 1.13'}, batch=4))
    shipped = {'params': r['params'], 'quantization': r['quantization'], 'heldout_names': [s.name for s in ho],
               'lesion_logit_max_abs_diff_vs_torch': {v[5:]: d['lesion'] for v, d in r['max_abs_diff_vs_pytorch'].items()},
               'latency_ms_int8': r['latency_ms_int8'],
               'metrics_held_out': {k: v['full'] for k, v in r['heldout'].items()},
               'int8_cost': r['int8_cost'], 'files': r['files'], 'provenance': r['provenance']}
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, 'shipped.json'), 'w') as f:
        json.dump(shipped, f, indent=1)
    shutil.copy(os.path.join(RUNS, 'main', 'log.txt'), os.path.join(RESULTS, 'train_log.txt'))
    write_fixtures(model, ho)
    make_card_images()
    write_card(shipped)
    print(json.dumps(shipped['metrics_held_out'], indent=1))


def make_card_images() -> None:
    """Runs the TypeScript CT path on the real DICOMs (needs the manifest entries of both CT models)."""
    import subprocess
    try:
        subprocess.run(['npx', 'tsx', 'training/ct_segmentation/card_images.ts'], cwd=REPO_ROOT, check=True)
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        print(f'card images not generated: {e}')


def rewrite_card() -> None:
    make_card_images()
    write_card(json.load(open(os.path.join(RESULTS, 'shipped.json'))))


def strip(ev: dict) -> dict:
    return {k: {'mean_over_slices': ev[k]['mean_over_slices'], 'pooled_pixels': ev[k]['pooled_pixels']}
            for k in ('lesion', 'ggo', 'consolidation')}


def write_fixtures(model, ho) -> None:
    """PyTorch outputs on a few held-out JPEGs (lesion pixel counts at source size, logit checksums) and the
    exact input tensor of the first (golden preprocessing)."""
    os.makedirs(FIXTURES, exist_ok=True)
    cases = []
    for i, s in enumerate(ho[:PARITY_N]):
        x = to_input(s.image).numpy()
        if i == 0:
            x.astype('<f4').tofile(os.path.join(FIXTURES, 'ct-segmentation-input-0.f32'))
        with torch.no_grad():
            lz, cz = (t.numpy() for t in model(torch.from_numpy(x)))
        i8 = onnx_runner(INT8)(x)
        lesion, cls = decode(lz, cz, *s.image.shape)
        lesion8, cls8 = decode(i8[0], i8[1], *s.image.shape)
        cases.append({'image': s.name, 'rows': int(s.image.shape[0]), 'columns': int(s.image.shape[1]),
                      'torchLesionPx': int(lesion.sum()), 'torchGgoPx': int((cls == 1).sum()),
                      'torchConsolidationPx': int((cls == 2).sum()),
                      'torchLesionLogitMean': float(lz.mean()), 'torchLesionLogitSample': lz[0, 0, ::48, ::48].ravel().tolist(),
                      'onnxInt8LesionPx': int(lesion8.sum()), 'onnxInt8LesionLogitMean': float(i8[0].mean())})
    fx = {'model': MODEL_ID, 'dataRoot': '../shared/data/covid-semiseg-infnet', 'inputSize': INPUT_SIZE,
          'goldenInput': {'image': ho[0].name, 'file': 'ct-segmentation-input-0.f32'}, 'cases': cases}
    with open(os.path.join(FIXTURES, 'ct-segmentation-parity.json'), 'w') as f:
        json.dump(fx, f, indent=1)


def manifest_entry() -> dict:
    """The entry without `files` (the ship step adds them): the one place the app reads this model's facts."""
    return {
        'id': MODEL_ID, 'name': 'CT lesion segmentation (U-Net + SE + PASPP)', 'task': 'ct-lesion-segmentation',
        'modality': 'ct', 'format': 'onnx', 'version': VERSION,
        'license': 'research use only, non-commercial; trained on COVID-SemiSeg / MedSeg (non-commercial only)',
        'card': f'{MODEL_ID}/CARD.md', 'quantization': 'int8-weights',
        'input': {'name': 'image', 'layout': 'NCHW', 'height': INPUT_SIZE, 'width': INPUT_SIZE, 'channels': 1,
                  'dtype': 'float32', 'intensity': {'source': '8bit', 'scale': SCALE, 'mean': [MEAN], 'std': [STD]},
                  'crop': 'lung-box', 'resize': 'bilinear-half-pixel'},
        'outputs': [{'name': 'lesion', 'shape': [-1, 1, INPUT_SIZE, INPUT_SIZE], 'decode': 'sigmoid'},
                    {'name': 'classes', 'shape': [-1, 3, INPUT_SIZE, INPUT_SIZE], 'decode': 'softmax'}],
        'labels': ['background', 'ground-glass opacity', 'consolidation'],
        'extra': {'threshold': 0.5, 'windowHu': WINDOW_HU,
                  'decode': 'logits resized to the crop (bilinear half-pixel) before thresholding; lesion pixels '
                            'are consolidation when the consolidation logit > the GGO logit, else GGO'},
    }


def write_card(shipped: dict) -> None:
    from training.common import write_card as wc
    rows = []
    for variant, m in shipped['metrics_held_out'].items():
        for cls in ('lesion', 'ggo', 'consolidation'):
            a, p = m[cls]['mean_over_slices'], m[cls]['pooled_pixels']
            rows.append([variant, cls, a['dice'], a['iou'], a['sensitivity'], a['precision'], p['dice']])
    les = shipped['metrics_held_out']['onnx_int8']['lesion']['mean_over_slices']
    imgs = sorted(os.path.basename(p) for p in glob.glob(os.path.join(OUT_DIR, 'card-images', '*.png')))
    img_md = '\n'.join(f'![{n}](card-images/{n})' for n in imgs) or '(no crop images generated)'
    crop_notes = ''
    notes_path = os.path.join(OUT_DIR, 'card-images', 'crops.json')
    if os.path.exists(notes_path):
        notes = json.load(open(notes_path))
        crop_notes = md_table(['file', 'lung found', 'lung box (x,y,w,h)', 'lung area px', 'infection %', 'lesion % of lung'],
                              [[n['file'], n['found'], n['box'], n['lungAreaPx'], n.get('infectionPercent', ''),
                                n.get('lesionPercentOfLung', '')] for n in notes])
    sections = [
        ('Summary', f"""Segments COVID-19 lesions on one axial CT lung crop: a lesion probability map and ground-glass
opacity (GGO) vs consolidation classes. Research use only - not a medical device. Method after seed 004: U-Net
with SE channel attention in every block, a progressive atrous spatial pyramid (PASPP) at the bottleneck,
deep supervision (BCE x 0.5 + Dice), heavy augmentation.

Shipped file: `model.int8.onnx` ({shipped['files']['int8']['bytes']:,} bytes; int8 per-output-channel weights via
`DequantizeLinear`, float activations), {shipped['params']:,} parameters. Held-out ({HOLDOUT_N} slices, by slice):
**Dice {les['dice']:.3f}, IoU {les['iou']:.3f}, sensitivity {les['sensitivity']:.3f}, precision
{les['precision']:.3f}** (mean over slices, int8 ONNX through onnxruntime-node, at each slice's own size)."""),
        ('Data and split', f"""`covid-semiseg-infnet/train` (COVID-SemiSeg = MedSeg COVID-19 CT segmentation slices, lung
crops, variable size 153-512 px, lossy 8-bit JPEG; masks GGO / consolidation). 50 slices: {50 - HOLDOUT_N} train,
{HOLDOUT_N} held out, drawn by a seeded shuffle **by slice -- the set has no patient ids**, so held-out slices may
come from patients seen in training (optimistic). Inf-Net's own `test/` split is not staged here. Held-out
slices: {', '.join(shipped['heldout_names'])}."""),
        ('Model and training', f"""Widths 12-24-48-96-128, SE (r=4) after each double-conv block, PASPP (dilations
1,2,4,8, each branch adding the previous one, fused 1x1, residual), ConvTranspose up-sampling, two heads
(`lesion` 1-channel logits, `classes` 3-channel logits), auxiliary lesion heads at 1/4 and 1/2 resolution
during training only. Input: the crop resized to {INPUT_SIZE}x{INPUT_SIZE} (bilinear half-pixel, aspect not
kept, as Inf-Net does), x = (p/255 - 0.5)/0.25. Training: random 128x128 patches of the augmented
{INPUT_SIZE}px slices (h/v flips, rotation +-30 deg, scale 0.7-1.3, shear, shift, gamma / contrast /
brightness, blur, noise), batch 8, 600 iterations (~120 epochs; the cosine schedule was planned for 800 and
shortened at iteration 50 when the shared 2-core CPU saturated; ~45 min CPU), AdamW lr 2e-3 with warm-up + cosine, loss 0.5 x (0.5 BCE + Dice) on the
final map + 0.25 x each auxiliary map + 0.5 x cross-entropy for the class head; the last iteration is
shipped (held-out slices only logged). Decode: logits resized to the crop size (bilinear half-pixel),
lesion = sigmoid > 0.5; lesion pixels are consolidation when that logit beats GGO's."""),
        ('Held-out metrics', md_table(['variant', 'class', 'Dice', 'IoU', 'sensitivity', 'precision', 'pooled Dice'], rows) +
         f"""\n\nSeed 004 reports Dice 0.763 (3D patches, 14 training CTs); Inf-Net reports 0.739 on its 48 test slices. Our
10-slice hold-out is tiny, so its numbers have wide uncertainty. Max |lesion logit| difference vs PyTorch
on the held-out inputs: {json.dumps(shipped['lesion_logit_max_abs_diff_vs_torch'])}.
Latency (int8, onnxruntime-node CPU, 1 thread, batch 1, shared machine - indicative): median
{shipped['latency_ms_int8']['median']:.0f} ms."""),
        ('Lung region on real DICOM', f"""Both CT models were trained on lung-window 8-bit crops; a DICOM slice is turned into
that domain by `src/core/analyses/ct/lungCrop.ts`: HU < -320 -> drop air connected to the border -> keep the
largest component and any >= 2 % of it -> fill holes -> ~8 mm closing -> fill; crop = mask box + 6 % margin;
then each model's window (this model: {WINDOW_HU['lo']}..{WINDOW_HU['hi']} HU, fitted by least squares to three
histogram peaks of the MedSeg crops: parenchyma -850 HU -> 45, fat -100 HU -> 188, soft tissue +40 HU -> 210;
the regression model: -1400..110 HU, fitted on Per-COVID-19). Crops on the real chest CT DICOMs
(`dicom-samples/covid19-ny-sbu-ct/` axial, `ct-chest-transfer-syntaxes/CTImage`), produced by the TypeScript
CLI path (lung mask red, lesion overlay yellow, box green):

{img_md}

{crop_notes}"""),
        ('Reproduce', """`/usr/bin/python3 training/ct_segmentation/train.py` (resumable; checkpoints in
`$LUNGLENS_RUNS/ct_segmentation/`, default /work/lunglens-runs), then `--eval-only` recomputes the held-out numbers of the shipped
`model.int8.onnx` (checked against its sha256)."""),
        ('Intended use and limits', """Research and demonstration only. 40 training slices from one public
source (MedSeg), lossy JPEG, no patient ids, no external test; the DICOM path adds the domain gap between
these manual crops and our automatic lung box and fitted window. Lesions are kept only inside the lung mask
(seed 004: lung-only masking matters), plus lesion components that touch it (dense consolidation at the pleura
is above the -320 HU threshold); the threshold lung mask can include the trachea / main bronchi. For PNG/JPEG
input (already a crop) the lung mask is a grey-level threshold of the whole image (level 163, the midpoint of
-320 HU under the two fitted windows): on the 50 Inf-Net slices it contains 84 % of the ground-truth lesion
pixels before the touching-component extension (measured with the TypeScript code). Pixel spacing
is unknown for the training crops, so areas in mm^2 are only reported for DICOM."""),
        ('Licence caveats', """COVID-SemiSeg README: the data are "made available for non-commercial purposes only";
MedSeg's own terms could not be checked offline. These weights inherit the non-commercial restriction."""),
    ]
    wc(os.path.join(OUT_DIR, 'CARD.md'), 'ct-lesion-segmentation', sections)


def eval_shipped() -> None:
    shipped = json.load(open(os.path.join(RESULTS, 'shipped.json')))
    assert sha256_file(INT8) == shipped['files']['int8']['sha256'], 'shipped int8 file differs from shipped.json'
    _, ho = split(load_all())
    ev = strip(evaluate(onnx_runner(INT8), ho))
    print(json.dumps({'onnx_int8': ev, 'card': shipped['metrics_held_out']['onnx_int8']}, indent=1))
