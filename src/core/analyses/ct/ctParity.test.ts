/**
 * The exported CT models, run through the CLI path (file loader -> CT preprocessing -> onnxruntime-node via
 * the Node AnalysisContext -> decode), reproduce the PyTorch outputs recorded by the export scripts
 * (training/ct_regression and ct_segmentation export_model.py write fixtures/ from real training images).
 *
 * Tolerances:
 * - golden preprocessing, PNG: 1e-4 in normalized units. Same 8-bit pixels, same PyTorch-exact bilinear
 *   taps; only float32 summation order differs (~1e-6); 1e-4 is < 1/100 of one grey level (0.0157).
 * - golden preprocessing, JPEG: PIL (libjpeg-turbo) and jpeg-js use different IDCTs, so decoded pixels may
 *   differ by a grey level or two: mean |diff| <= 0.01 and max <= 0.1 (~6 grey levels) in normalized units.
 * - fp32 ONNX vs PyTorch: 0.01 percentage points on each regression head and 1e-3 on lesion logits when fed
 *   the identical tensor (ORT vs PyTorch kernels differ only by float rounding; measured ~1e-5).
 * - int8 ONNX vs the same int8 ONNX run from Python: 1e-3 (identical model and input).
 * - int8 ONNX vs PyTorch fp32: each head within 2 percentage points and the rounded % within 2 -- weight
 *   quantization (per-channel int8, max relative weight error 0.4 %) shifts outputs; the export measures the
 *   maximum shift over the whole held-out fold (results/shipped.json) and it stays below this bound.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../../cli/analyzeCommand.ts';
import { decodeRasterImage } from '../../ingest/rasterImage.ts';
import { createNodeAnalysisContext, type NodeAnalysisContext } from '../../runtime/nodeContext.ts';
import { ctInfectionAnalysis } from './ctInfectionAnalysis.ts';
import { CT_REGRESSION, CT_SEGMENTATION } from './ctModelSpec.ts';
import { modelInput } from './ctSlicePreprocess.ts';

const REPO = path.resolve(__dirname, '../../../..');
const MODELS = path.join(REPO, 'models');
const FIX = path.join(__dirname, 'fixtures');
// A missing fixture must fail the tests that need it, not hide them: read lazily, throw on use.
const fixture = (name: string) => {
  const file = path.join(FIX, name);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : new Proxy({}, { get: () => { throw new Error(`missing fixture ${name}`); } });
};
const regFx = fixture('ct-regression-parity.json');
const segFx = fixture('ct-segmentation-parity.json');
const dataFile = (fx: { dataRoot: string }, rel: string) => path.resolve(REPO, fx.dataRoot, rel);
const readF32 = (file: string) => {
  const b = readFileSync(path.join(FIX, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const loadImage = (file: string) => decodeRasterImage(new Uint8Array(readFileSync(file)), path.basename(file));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; mean: number } {
  expect(a.length).toBe(b.length);
  let max = 0, sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

describe('golden preprocessing: TS equals the Python training preprocessing', () => {
  it('regression input from a Per-COVID-19 PNG (224 -> 128 bilinear half-pixel)', () => {
    const image = loadImage(dataFile(regFx, regFx.goldenInput.image));
    image.modality = 'CT';
    const { tensor } = modelInput(image, CT_REGRESSION);
    expect(tensor.dims).toEqual([1, 1, CT_REGRESSION.size, CT_REGRESSION.size]);
    expect(maxAbsDiff(tensor.data, readF32(regFx.goldenInput.file)).max).toBeLessThan(1e-4);
  });

  it('segmentation input from an Inf-Net JPEG (variable size -> 192)', () => {
    const image = loadImage(dataFile(segFx, segFx.goldenInput.image));
    const { tensor } = modelInput(image, CT_SEGMENTATION);
    const d = maxAbsDiff(tensor.data, readF32(segFx.goldenInput.file));
    expect(d.mean).toBeLessThan(0.01);
    expect(d.max).toBeLessThan(0.1);
  });
});

/** A manifest in a temp file that points the two CT ids at the fp32 exports (kept out of git). */
const FP32 = {
  [CT_REGRESSION.id]: path.join(REPO, 'training/runs/ct_regression/export/model.fp32.onnx'),
  [CT_SEGMENTATION.id]: path.join(REPO, 'training/runs/ct_segmentation/export/model.fp32.onnx'),
};
const haveFp32 = Object.values(FP32).every(existsSync);

for (const variant of ['int8', 'fp32'] as const) {
  describe.skipIf(variant === 'fp32' && !haveFp32)(`${variant} ONNX through the CLI path reproduces PyTorch`, () => {
    let ctx: NodeAnalysisContext;
    beforeAll(async () => {
      let modelsDir = MODELS;
      if (variant === 'fp32') {
        // a temp models dir whose manifest points the two CT ids at copies of the fp32 exports
        const { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } = await import('node:fs');
        const { createHash } = await import('node:crypto');
        const { tmpdir } = await import('node:os');
        modelsDir = mkdtempSync(path.join(tmpdir(), 'ct-fp32-'));
        const manifest = JSON.parse(readFileSync(path.join(MODELS, 'manifest.json'), 'utf8'));
        manifest.models = manifest.models.filter((m: { id: string }) => m.id in FP32);
        for (const m of manifest.models) {
          const bytes = readFileSync(FP32[m.id as keyof typeof FP32]);
          mkdirSync(path.join(modelsDir, m.id));
          copyFileSync(FP32[m.id as keyof typeof FP32], path.join(modelsDir, m.id, 'model.fp32.onnx'));
          m.files = [{ path: `${m.id}/model.fp32.onnx`, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, role: 'model' }];
          m.quantization = 'none';
        }
        writeFileSync(path.join(modelsDir, 'manifest.json'), JSON.stringify(manifest));
      }
      ctx = await createNodeAnalysisContext(modelsDir, { threads: 1 });
    });
    afterAll(async () => ctx?.release());

    it('regression heads and the rounded % (CLI JSON) on real slices', async () => {
      const files = regFx.cases.map((c: { image: string }) => dataFile(regFx, c.image));
      const records = await analyzeFiles({ files, json: true, modality: 'ct', modelsDir: MODELS }, ctx);
      for (const [i, c] of regFx.cases.entries()) {
        const raw = await ctInfectionAnalysis.analyze(loadImage(files[i]), ctx);
        if (variant === 'fp32') {
          expect(Math.abs(raw.heads.linear - c.torchLinear)).toBeLessThan(0.01);
          expect(Math.abs(raw.heads.expectation - c.torchExpectation)).toBeLessThan(0.01);
          expect(records[i].infectionPercent).toBe(c.torchPercent);
        } else {
          expect(Math.abs(raw.heads.linear - c.onnxInt8Linear)).toBeLessThan(1e-3);
          expect(Math.abs(raw.heads.expectation - c.onnxInt8Expectation)).toBeLessThan(1e-3);
          expect(Math.abs(raw.heads.linear - c.torchLinear)).toBeLessThan(2);
          expect(Math.abs(raw.heads.expectation - c.torchExpectation)).toBeLessThan(2);
          expect(Math.abs((records[i].infectionPercent as number) - c.torchPercent)).toBeLessThanOrEqual(2);
        }
      }
    });

    it('segmentation logits on the golden input tensor, and lesion masks at the source size', async () => {
      const session = await ctx.getSession(CT_SEGMENTATION.id);
      const golden = readF32(segFx.goldenInput.file);
      const s = CT_SEGMENTATION.size;
      const out = await session.run({ image: { data: golden, dims: [1, 1, s, s] } });
      const lesion = out[CT_SEGMENTATION.outputs.lesion].data;
      const c0 = segFx.cases[0];
      const sample: number[] = [];
      for (let y = 0; y < s; y += 48) for (let x = 0; x < s; x += 48) sample.push(lesion[y * s + x]);
      let mean = 0;
      for (const v of lesion) mean += v / lesion.length;
      if (variant === 'fp32') {
        expect(maxAbsDiff(sample, c0.torchLesionLogitSample).max).toBeLessThan(1e-3);
        expect(Math.abs(mean - c0.torchLesionLogitMean)).toBeLessThan(1e-3);
      } else {
        expect(Math.abs(mean - c0.onnxInt8LesionLogitMean)).toBeLessThan(1e-3);
        expect(Math.abs(mean - c0.torchLesionLogitMean)).toBeLessThan(0.5);
      }
      // CLI path on the JPEGs: model lesion pixels (inside + outside the lung mask) ~ PyTorch's count.
      const files = segFx.cases.map((c: { image: string }) => dataFile(segFx, c.image));
      const records = await analyzeFiles({ files, json: true, modality: 'ct', modelsDir: MODELS }, ctx);
      for (const [i, c] of segFx.cases.entries()) {
        const r = records[i];
        expect(r.error).toBeUndefined();
        const px = (r.lesionAreaPx as number) + (r.lesionOutsideLungPx as number);
        const ref = variant === 'fp32' ? c.torchLesionPx : c.onnxInt8LesionPx;
        // JPEG decoder differences move a few boundary pixels: 3 % of the area + 30 px
        expect(Math.abs(px - ref)).toBeLessThanOrEqual(0.03 * ref + 30);
      }
    });
  });
}
