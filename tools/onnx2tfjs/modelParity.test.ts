/**
 * Parity of every bundled TFJS variant (models/manifest.json entries with `variantOf`) with its ONNX
 * original, on real images from ../shared/data preprocessed by the analyses' own TS code:
 * onnxruntime-node (the CLI's engine) on the ONNX file vs the app's TFJS engine (cpu backend) on the
 * shipped uint8 graph model, both loaded through the manifest with SHA-256 verification.
 *
 * Two levels, two tolerances:
 * 1. Converter exactness: the same ONNX converted without quantization agrees with ORT within
 *    1e-4 x max(1, max|output|) on the raw outputs (float32 summation order only; measured <= 1e-5).
 * 2. Shipped uint8 variant (int8 per-channel ONNX weights re-quantized to uint8 per tensor), on the
 *    decoded quantities the analyses report:
 *    - linear / softmax-expectation (CT infection %): within 1.5 percentage points (measured <= 0.06);
 *    - softmax / classification logits: probabilities within 0.03 and the same top class;
 *    - sigmoid maps (segmentation): probabilities within 0.1 and >= 99.5 % of pixels on the same side
 *      of 0.5 (measured <= 0.045 and >= 99.98 %).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rasterFileToImage } from '../../src/cli/analyzeCommand.ts';
import { CT_REGRESSION, CT_SEGMENTATION } from '../../src/core/analyses/ct/ctModelSpec.ts';
import { modelInput } from '../../src/core/analyses/ct/ctSlicePreprocess.ts';
import { cxrGray8, prepareCxrInput } from '../../src/core/analyses/cxr/cxrPreprocess.ts';
import { parseManifest, type ModelEntry, type OutputSpec } from '../../src/core/runtime/manifest.ts';
import { createNodeAnalysisContext, type NodeAnalysisContext } from '../../src/core/runtime/nodeContext.ts';
import { createTfjsEngine } from '../../src/core/runtime/tfjsEngine.ts';
import type { EngineSession } from '../../src/core/runtime/engine.ts';
import type { Tensor } from '../../src/core/runtime/tensor.ts';
import { onnxToTfjs } from './onnxToTfjs.ts';
import { loadConverted as loadGraph } from './loadConverted.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const modelsDir = path.join(repo, 'models');
const data = path.resolve(repo, '../shared/data');
const manifest = parseManifest(JSON.parse(readFileSync(path.join(modelsDir, 'manifest.json'), 'utf8')));
const variants = manifest.models.filter((m) => m.format === 'tfjs' && m.variantOf);

/** A few real images per modality, across the label range. */
const CT_SLICES = ['images/1.png', 'images/900.png', 'images/2000.png', 'images/3500.png'];
const CXR_IMAGES = [
  'Train/COVID-19/images/covid_1016.png',
  'Train/COVID-19/images/covid_1024.png',
  'Train/Non-COVID/images/Non_COVID (45).png',
  'Train/Normal/images/Normal (11768).png',
];

function csvFirstImages(dir: string, column: string, wanted: string[], n: number): string[] {
  // Fall back to the first rows of the dataset's CSV when a listed file is absent in this checkout.
  const present = wanted.filter((f) => existsSync(path.join(dir, f)));
  if (present.length >= n) return present.slice(0, n);
  const csv = readFileSync(path.join(dir, existsSync(path.join(dir, 'labels.csv')) ? 'labels.csv' : 'files.csv'), 'utf8').trim().split('\n');
  const col = csv[0].split(',').indexOf(column);
  const rows = csv.slice(1).map((l) => l.split(',')[col]);
  const step = Math.max(1, Math.floor(rows.length / n));
  return [...new Set([...present, ...rows.filter((_, i) => i % step === 0)])].slice(0, n);
}

function inputsFor(entry: ModelEntry): { label: string; tensor: Tensor }[] {
  const load = (file: string) => rasterFileToImage(new Uint8Array(readFileSync(file)), path.basename(file));
  if (entry.modality === 'ct') {
    const dir = path.join(data, 'per-covid-19');
    const spec = entry.task === 'ct-infection-regression' ? CT_REGRESSION : CT_SEGMENTATION;
    return csvFirstImages(dir, 'image', CT_SLICES, 4).map((f) => {
      const image = load(path.join(dir, f));
      image.modality = 'CT';
      return { label: f, tensor: modelInput(image, spec).tensor };
    });
  }
  const dir = path.join(data, 'covid-qu-ex');
  return csvFirstImages(dir, 'image', CXR_IMAGES, 4).map((f) => ({
    label: f,
    tensor: prepareCxrInput(cxrGray8(load(path.join(dir, f))), entry.input.height, entry.input.intensity).tensor,
  }));
}

const softmax = (x: Float32Array) => {
  const m = Math.max(...x);
  const e = Array.from(x, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Compares one output the way the analyses decode it; returns a one-line summary. */
function checkDecoded(o: OutputSpec, ort: Tensor, tfjs: Tensor): string {
  expect(tfjs.dims).toEqual(ort.dims);
  if (o.decode === 'linear') {
    const d = maxAbs(ort.data, tfjs.data);
    expect(d, `${o.name}: |Δ| ${d}`).toBeLessThanOrEqual(1.5);
    return `${o.name} |Δ| ${d.toFixed(3)}`;
  }
  if (o.decode === 'softmax-expectation') {
    const ex = (x: Float32Array) => softmax(x).reduce((a, p, i) => a + p * i, 0);
    const d = Math.abs(ex(ort.data) - ex(tfjs.data));
    expect(d, `${o.name}: expectation |Δ| ${d}`).toBeLessThanOrEqual(1.5);
    return `${o.name} E|Δ| ${d.toFixed(3)}`;
  }
  if (o.decode === 'softmax' || o.decode === 'logits') {
    const [p, q] = [softmax(ort.data), softmax(tfjs.data)];
    const d = maxAbs(p, q);
    expect(d, `${o.name}: probability |Δ| ${d}`).toBeLessThanOrEqual(0.03);
    expect(q.indexOf(Math.max(...q))).toBe(p.indexOf(Math.max(...p)));
    return `${o.name} p|Δ| ${d.toFixed(4)}`;
  }
  if (o.decode === 'sigmoid') {
    let d = 0, same = 0;
    for (let i = 0; i < ort.data.length; i++) {
      const [p, q] = [sigmoid(ort.data[i]), sigmoid(tfjs.data[i])];
      d = Math.max(d, Math.abs(p - q));
      if (p > 0.5 === q > 0.5) same++;
    }
    const agree = same / ort.data.length;
    expect(d, `${o.name}: probability |Δ| ${d}`).toBeLessThanOrEqual(0.1);
    expect(agree, `${o.name}: mask agreement ${agree}`).toBeGreaterThanOrEqual(0.995);
    return `${o.name} p|Δ| ${d.toFixed(4)}, mask agree ${(agree * 100).toFixed(2)} %`;
  }
  // boxes: raw outputs only
  const d = maxAbs(ort.data, tfjs.data);
  expect(d).toBeLessThanOrEqual(0.1);
  return `${o.name} raw |Δ| ${d.toFixed(4)}`;
}

let ortCtx: NodeAnalysisContext;
beforeAll(async () => {
  await tf.setBackend('cpu');
  ortCtx = await createNodeAnalysisContext(modelsDir, { threads: 1 });
});
afterAll(async () => {
  await ortCtx?.release();
});

describe('bundled TFJS variants agree with their ONNX originals on real images', () => {
  it('ships at least the CT regression model as TFJS', () => {
    expect(variants.map((v) => v.variantOf)).toContain('ct-infection-regression');
  });

  for (const entry of variants) {
    const original = manifest.models.find((m) => m.id === entry.variantOf)!;
    it(`${entry.id}: same manifest contract as ${original.id}`, () => {
      expect(entry.input).toEqual(original.input);
      expect(entry.outputs).toEqual(original.outputs);
      expect(entry.labels).toEqual(original.labels);
    });

    it(`${entry.id}: converter exact (fp32) and shipped uint8 within the decoded tolerances`, async () => {
      const ortSession = await ortCtx.getSession(original.id);
      const files = new Map(entry.files.map((f) => [f.path, new Uint8Array(readFileSync(path.join(modelsDir, f.path)))]));
      const tfjsSession: EngineSession = await createTfjsEngine().createSession({ entry, files }, 'cpu');
      const onnxBytes = new Uint8Array(readFileSync(path.join(modelsDir, original.files.find((f) => f.role === 'model')!.path)));
      const fp32 = await loadGraph(onnxToTfjs(onnxBytes).files);
      try {
        for (const { label, tensor } of inputsFor(entry)) {
          const feeds = { [entry.input.name]: tensor };
          const ref = await ortSession.run(feeds);
          const got = await tfjsSession.run(feeds);
          const names = entry.outputs.map((o) => o.name);
          const x = tf.tensor(tensor.data, tensor.dims);
          const exact = fp32.execute({ [entry.input.name]: x }, names);
          const exactList = Array.isArray(exact) ? exact : [exact];
          const lines: string[] = [];
          for (const [k, o] of entry.outputs.entries()) {
            const e = exactList[k].dataSync();
            const scale = Math.max(1, ...Array.from(ref[o.name].data, Math.abs));
            const d = maxAbs(e, ref[o.name].data);
            expect(d, `${o.name} fp32 conversion |Δ| ${d}`).toBeLessThanOrEqual(1e-4 * scale);
            lines.push(`fp32 ${o.name} |Δ| ${d.toExponential(1)}`, checkDecoded(o, ref[o.name], got[o.name]));
          }
          exactList.forEach((t) => t.dispose());
          x.dispose();
          console.log(`${entry.id} ${label}: ${lines.join('; ')}`);
        }
      } finally {
        fp32.dispose();
        await tfjsSession.release();
      }
    }, 120_000);
  }
});
