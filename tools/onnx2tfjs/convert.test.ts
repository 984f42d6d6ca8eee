/**
 * Converter correctness: onnxruntime-node on the ONNX file vs TFJS (cpu backend) on the converted graph,
 * same random input with batch 2 (the batch is dynamic in every fixture). fp32 conversions must agree
 * within 1e-4 x max(1, max|output|): both are float32 with a different summation order (measured ~1e-7);
 * a wrong layout, padding, resize convention or folded weight shows up as >= 1e-2.
 *
 * Fixtures (tools/onnx2tfjs/fixtures/make_fixtures.py, seeded random weights): ops.onnx = strided/grouped/
 * dilated/depthwise convs, unfused BatchNormalization, LeakyRelu, HardSwish, Clip, Relu6, Tanh, Sigmoid,
 * Add/Sub/Mul/Div, MaxPool (pads + ceil_mode), AveragePool (torch's Pad + pool), ConvTranspose (pads +
 * output_padding), nearest / bilinear align_corners / bilinear half_pixel Resize (sizes from Shape->Slice->
 * Concat), Concat, Softmax over channels; head.onnx = GlobalAveragePool, Flatten, Gemm, MatMul, Reshape,
 * Transpose, Softmax over a non-last axis, Squeeze, Unsqueeze.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedOpError } from './convert.ts';
import { loadConverted as loadGraph } from './loadConverted.ts';
import { onnxToTfjs } from './onnxToTfjs.ts';
import { dequantizeUint8, quantizeUint8 } from './uint8Quantization.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function compare(file: string, batch = 2, quantize: 'uint8' | null = null) {
  const bytes = new Uint8Array(readFileSync(file));
  const { files, converted } = onnxToTfjs(bytes, { quantize });
  const graph = await loadGraph(files);
  expect(graph.inputs.map((i) => i.name)).toEqual(converted.inputs.map((i) => i.name));
  expect(graph.outputs.map((o) => o.name)).toEqual(converted.outputs.map((o) => o.name));
  const inp = converted.inputs[0];
  const dims = inp.shape.map((d) => (d < 0 ? batch : d));
  const n = dims.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 1.5);
  const session = await ort.InferenceSession.create(bytes);
  const ref = await session.run({ [inp.name]: new ort.Tensor('float32', data, dims) });
  const x = tf.tensor(data, dims);
  const names = converted.outputs.map((o) => o.name);
  const out = graph.execute({ [inp.name]: x }, names);
  const list = Array.isArray(out) ? out : [out];
  const result: Record<string, { err: number; scale: number }> = {};
  for (const [k, t] of list.entries()) {
    const r = ref[names[k]];
    expect(t.shape).toEqual(r.dims.map(Number));
    const a = t.dataSync();
    const b = r.data as Float32Array;
    let err = 0, scale = 0;
    for (let i = 0; i < a.length; i++) { err = Math.max(err, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
    result[names[k]] = { err, scale };
    t.dispose();
  }
  x.dispose();
  graph.dispose();
  await session.release();
  return { result, files, converted };
}

describe('onnx2tfjs: converted graph == ONNX Runtime (fp32, batch 2)', () => {
  const cases: [string, string][] = [
    ['op coverage (convs, BN, activations, pools, resizes, transposed conv)', 'tools/onnx2tfjs/fixtures/ops.onnx'],
    ['op coverage (flatten, gemm, matmul, reshape, transpose, squeeze)', 'tools/onnx2tfjs/fixtures/head.onnx'],
    ['runtime test model, fp32', 'e2e/fixtures/runtime/tiny-fp32/model.onnx'],
    ['runtime test model, int8 DequantizeLinear weights', 'e2e/fixtures/runtime/tiny-int8/model.onnx'],
  ];
  for (const [label, file] of cases) {
    it(label, async () => {
      const { result } = await compare(path.join(repo, file));
      for (const [name, { err, scale }] of Object.entries(result)) {
        expect(err, `${name}: max |tfjs - ort| ${err} (max |ort| ${scale})`).toBeLessThanOrEqual(1e-4 * Math.max(1, scale));
      }
    });
  }

  it('keeps the ONNX external layout: input placeholder and outputs are NCHW', async () => {
    const { converted, files } = await compare(path.join(repo, 'tools/onnx2tfjs/fixtures/ops.onnx'), 1);
    expect(converted.inputs).toEqual([{ name: 'input', shape: [-1, 3, 20, 24] }]);
    expect(converted.outputs).toEqual([{ name: 'map', shape: [-1, 12, 24, 28] }]);
    const ph = (files.modelJson.modelTopology.node as { op: string; name: string }[]).find((n) => n.op === 'Placeholder');
    expect(ph?.name).toBe('input');
  });

  it('uint8 weights: outputs move by quantization noise only', async () => {
    const { result, files } = await compare(path.join(repo, 'tools/onnx2tfjs/fixtures/ops.onnx'), 1, 'uint8');
    const specs = files.modelJson.weightsManifest[0].weights;
    expect(specs.some((s) => s.quantization?.dtype === 'uint8')).toBe(true);
    const { err, scale } = result.map;
    expect(err).toBeGreaterThan(0); // the quantized weights are really used
    expect(err).toBeLessThanOrEqual(0.02 * scale);
  });

  it('names the op and the node of an unsupported op', () => {
    const bytes = new Uint8Array(readFileSync(path.join(repo, 'tools/onnx2tfjs/fixtures/unsupported.onnx')));
    expect(() => onnxToTfjs(bytes)).toThrow(UnsupportedOpError);
    expect(() => onnxToTfjs(bytes)).toThrow(/unsupported op Cos \(node "\/Cos"\)/);
  });

  it('rejects bytes that are not an ONNX model', () => {
    expect(() => onnxToTfjs(new TextEncoder().encode('{"format":"graph-model"}'))).toThrow();
  });
});

describe('uint8 affine quantization (tfjs-converter --quantize_uint8 convention)', () => {
  it('round-trips within half a step, keeps 0 exact, and matches how tfjs decodes it', async () => {
    const w = Float32Array.from([-0.7, -0.1, 0, 0.05, 0.3, 1.2]);
    const q = quantizeUint8(w);
    expect(q.scale).toBeCloseTo(1.9 / 255, 7);
    const back = dequantizeUint8(q);
    w.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(q.scale / 2 + 1e-7));
    expect(back[2]).toBeCloseTo(0, 7);
    const decoded = tf.io.decodeWeights(q.bytes.slice().buffer, [
      { name: 'w', shape: [6], dtype: 'float32', quantization: { dtype: 'uint8', min: q.min, scale: q.scale } },
    ]);
    expect(Array.from(decoded.w.dataSync())).toEqual(Array.from(back));
  });
});
