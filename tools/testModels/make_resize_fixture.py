"""Writes src/core/imageOps/resizeBilinear.torch.json: inputs and the outputs of
torch.nn.functional.interpolate(mode='bilinear', align_corners=False, antialias=False),
the reference resizeBilinear.ts must reproduce. Run: /usr/bin/python3 tools/testModels/make_resize_fixture.py"""
import json, pathlib
import torch
import torch.nn.functional as F

torch.manual_seed(3)
cases = []
# (inH, inW, outH, outW, channels): up, down (non-integer ratios), identity, 1-pixel edges.
for ih, iw, oh, ow, c in [(4, 5, 7, 9, 1), (9, 7, 4, 3, 1), (6, 6, 6, 6, 1), (3, 8, 5, 2, 3),
                          (1, 4, 3, 6, 1), (17, 13, 5, 11, 2), (5, 5, 1, 1, 1), (2, 3, 8, 8, 1)]:
    x = (torch.rand(1, c, ih, iw) * 255).round()
    y = F.interpolate(x, size=(oh, ow), mode='bilinear', align_corners=False)
    # HWC interleaved, as Raster stores it
    cases.append({
        'inH': ih, 'inW': iw, 'outH': oh, 'outW': ow, 'channels': c,
        'input': x[0].permute(1, 2, 0).reshape(-1).tolist(),
        'expected': y[0].permute(1, 2, 0).reshape(-1).tolist(),
    })
out = pathlib.Path(__file__).resolve().parents[2] / 'src/core/imageOps/resizeBilinear.torch.json'
out.write_text(json.dumps({'torch': torch.__version__, 'cases': cases}))
print('wrote', out, len(cases), 'cases')
