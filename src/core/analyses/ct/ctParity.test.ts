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
 * - int8 ONNX vs the same int8 ONNX run from Python: 1e-3 (identical model and input).
 * - int8 ONNX vs PyTorch fp32: each head within 2 percentage points and the rounded % within 2 -- weight
 *   quantization (per-channel int8, max relative weight error 0.4 %) shifts outputs; the export measures the
 *   maximum shift over the whole held-out fold (results/shipped.json) and it stays below this bound.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFiles, type CliError, type CliRecord } from '../../../cli/analyzeCommand.ts';
import type { MedicalImage } from '../../image/medicalImage.ts';
import { decodeRasterImage } from '../../ingest/rasterImage.ts';
import { findModel, parseManifest } from '../../runtime/manifest.ts';
import { outputByDecode, windowHuOf } from '../../runtime/modelFacts.ts';
import { createNodeAnalysisContext, type NodeAnalysisContext } from '../../runtime/nodeContext.ts';
import { ctInfection } from './ctInfectionAnalysis.ts';
import type { CtAssessedRecord } from './ctRecord.ts';
import { ctModelInput, lungRegionOf } from './ctSlicePreprocess.ts';

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
// Every model fact comes from the shipped manifest entry (no TS copy of it).
const manifest = parseManifest(JSON.parse(readFileSync(path.join(MODELS, 'manifest.json'), 'utf8')));
const REGRESSION = findModel(manifest, 'ct-infection-regression');
const SEGMENTATION = findModel(manifest, 'ct-lesion-segmentation');
const lungBoxOf = (image: MedicalImage) => lungRegionOf(image, [windowHuOf(REGRESSION), windowHuOf(SEGMENTATION)]).box;
const ctRecords = async (files: string[], ctx: NodeAnalysisContext) =>
  (await analyzeFiles({ files, json: true, modality: 'ct', modelsDir: MODELS }, ctx)) as (CliRecord<CtAssessedRecord> & Partial<CliError>)[];

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
    const { tensor } = ctModelInput(image, REGRESSION, lungBoxOf(image));
    expect(tensor.dims).toEqual([1, 1, REGRESSION.input.height, REGRESSION.input.width]);
    expect(maxAbsDiff(tensor.data, readF32(regFx.goldenInput.file)).max).toBeLessThan(1e-4);
  });

  it('segmentation input from an Inf-Net JPEG (variable size -> 192)', () => {
    const image = loadImage(dataFile(segFx, segFx.goldenInput.image));
    const { tensor } = ctModelInput(image, SEGMENTATION, lungBoxOf(image));
    const d = maxAbsDiff(tensor.data, readF32(segFx.goldenInput.file));
    expect(d.mean).toBeLessThan(0.01);
    expect(d.max).toBeLessThan(0.1);
  });
});

// fp32 ONNX vs PyTorch is checked where the fp32 export exists: in the training ship step
// (training/common/ship.py, recorded in results/shipped.json). It is not bundled, so it is not re-checked here.
describe('int8 ONNX through the CLI path reproduces the Python int8 run and stays near PyTorch', () => {
  let ctx: NodeAnalysisContext;
  beforeAll(async () => {
    ctx = await createNodeAnalysisContext(MODELS, { threads: 1 });
  });
  afterAll(async () => ctx?.release());

  it('regression heads and the rounded % (CLI JSON) on real slices', async () => {
    const files = regFx.cases.map((c: { image: string }) => dataFile(regFx, c.image));
    const records = await ctRecords(files, ctx);
    for (const [i, c] of regFx.cases.entries()) {
      const image = loadImage(files[i]);
      const raw = await ctInfection(image, await ctx.getSession(REGRESSION.id), lungBoxOf(image));
      expect(Math.abs(raw.heads.linear - c.onnxInt8Linear)).toBeLessThan(1e-3);
      expect(Math.abs(raw.heads.expectation - c.onnxInt8Expectation)).toBeLessThan(1e-3);
      expect(Math.abs(raw.heads.linear - c.torchLinear)).toBeLessThan(2);
      expect(Math.abs(raw.heads.expectation - c.torchExpectation)).toBeLessThan(2);
      expect(Math.abs(records[i].infectionPercent - c.torchPercent)).toBeLessThanOrEqual(2);
    }
  });

  it('segmentation logits on the golden input tensor, and lesion masks at the source size', async () => {
    const session = await ctx.getSession(SEGMENTATION.id);
    const golden = readF32(segFx.goldenInput.file);
    const s = SEGMENTATION.input.width;
    const out = await session.run({ image: { data: golden, dims: [1, 1, s, s] } });
    const lesion = out[outputByDecode(SEGMENTATION, 'sigmoid').name].data;
    const c0 = segFx.cases[0];
    let mean = 0;
    for (const v of lesion) mean += v / lesion.length;
    expect(Math.abs(mean - c0.onnxInt8LesionLogitMean)).toBeLessThan(1e-3);
    expect(Math.abs(mean - c0.torchLesionLogitMean)).toBeLessThan(0.5);
    // CLI path on the JPEGs: model lesion pixels (inside + outside the lung mask) ~ the Python int8 count.
    const files = segFx.cases.map((c: { image: string }) => dataFile(segFx, c.image));
    const records = await ctRecords(files, ctx);
    for (const [i, c] of segFx.cases.entries()) {
      const r = records[i];
      expect(r.error).toBeUndefined();
      const px = r.lesionAreaPx + r.lesionOutsideLungPx;
      // JPEG decoder differences move a few boundary pixels: 3 % of the area + 30 px
      expect(Math.abs(px - c.onnxInt8LesionPx)).toBeLessThanOrEqual(0.03 * c.onnxInt8LesionPx + 30);
    }
  });
});
