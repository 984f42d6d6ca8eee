/**
 * Real inputs and decoded comparisons shared by the TFJS-vs-ONNX parity tests (Vitest in Node and
 * Playwright in the browser): images from ../shared/data preprocessed by the analyses' own TS code per the
 * entry's manifest `input`, and
 * each output compared the way the analyses decode it, against the tolerances stated here.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeRasterImage } from '../../src/core/ingest/rasterImage.ts';
import { ctModelInput } from '../../src/core/analyses/ct/ctSlicePreprocess.ts';
import { cxrGray8 } from '../../src/core/analyses/cxr/cxrPreprocess.ts';
import { modelInput } from '../../src/core/imageOps/modelInput.ts';
import type { ModelEntry, OutputSpec } from '../../src/core/runtime/manifest.ts';
import type { Tensor } from '../../src/core/runtime/tensor.ts';

/** A few real images per modality, across the label range (Per-COVID-19 %; COVID-QU-Ex classes). */
const CT_SLICES = ['images/1.png', 'images/2000.png', 'images/3500.png', 'images/10.png'];
const CXR_IMAGES = [
  'Train/COVID-19/images/covid_1016.png',
  'Train/COVID-19/images/covid_1024.png',
  'Train/Non-COVID/images/Non_COVID (45).png',
  'Train/Normal/images/Normal (11768).png',
];

/**
 * Decoded-output tolerances for a uint8 TFJS variant vs its int8 ONNX original (weights re-quantized
 * per tensor: a few 1e-3 relative weight error). Measured on the bundled models: CT % <= 0.75 points,
 * segmentation probabilities <= 0.075 with >= 99.7 % of mask pixels identical (CT lesions; CXR: 0.045, 99.98 %), class
 * probabilities <= 0.009 with the same top class.
 */
const DECODED_TOLERANCE = {
  /** percentage points, linear head and expectation over bins */
  percent: 1.5,
  /** class probabilities (softmax of logits); the top class must also agree */
  probability: 0.03,
  /** per-pixel sigmoid / softmax probability (segmentation maps) */
  sigmoid: 0.1,
  /** share of pixels on the same side of 0.5 (sigmoid) or with the same arg-max class (softmax map) */
  maskAgreement: 0.995,
  /** raw detector outputs */
  raw: 0.1,
} as const;

export function parityInputs(entry: ModelEntry, dataRoot: string, n = 4): { label: string; tensor: Tensor }[] {
  const load = (file: string) => decodeRasterImage(new Uint8Array(readFileSync(file)), path.basename(file));
  if (entry.modality === 'ct') {
    const dir = path.join(dataRoot, 'per-covid-19');
    return pick(dir, 'labels.csv', CT_SLICES, n).map((f) => {
      const image = load(path.join(dir, f));
      // a Per-COVID-19 PNG is already the lung crop: the analysis feeds it whole
      const whole = { x: 0, y: 0, w: image.columns, h: image.rows };
      return { label: `per-covid-19/${f}`, tensor: ctModelInput(image, entry, whole).tensor };
    });
  }
  const dir = path.join(dataRoot, 'covid-qu-ex');
  return pick(dir, 'files.csv', CXR_IMAGES, n).map((f) => ({
    label: `covid-qu-ex/${f}`,
    tensor: modelInput(cxrGray8(load(path.join(dir, f))), entry.input).tensor,
  }));
}

/** The listed files that exist, topped up from the dataset CSV's `image` column (spread over the rows). */
function pick(dir: string, csvName: string, wanted: string[], n: number): string[] {
  const present = wanted.filter((f) => existsSync(path.join(dir, f)));
  if (present.length >= n) return present.slice(0, n);
  const csv = readFileSync(path.join(dir, csvName), 'utf8').trim().split('\n');
  const col = csv[0].split(',').indexOf('image');
  const rows = csv.slice(1).map((l) => l.split(',')[col]);
  const step = Math.max(1, Math.floor(rows.length / n));
  return [...new Set([...present, ...rows.filter((_, i) => i % step === 0)])].slice(0, n);
}

export interface Check {
  what: string;
  value: number;
  limit: number;
  /** true: value must be >= limit; else value must be <= limit */
  atLeast?: boolean;
}

const softmax = (x: ArrayLike<number>) => {
  const a = Array.from(x);
  const m = Math.max(...a);
  const e = a.map((v) => Math.exp(v - m));
  const s = e.reduce((p, q) => p + q, 0);
  return e.map((v) => v / s);
};
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
export const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Compares one output as the analyses decode it (manifest `decode`). */
export function decodedChecks(o: OutputSpec, ref: Tensor, got: Tensor): Check[] {
  const T = DECODED_TOLERANCE;
  if (o.decode === 'linear') return [{ what: `${o.name} |Δ| (points)`, value: maxAbsDiff(ref.data, got.data), limit: T.percent }];
  if (o.decode === 'softmax-expectation') {
    const ex = (x: ArrayLike<number>) => softmax(x).reduce((s, p, i) => s + p * i, 0);
    return [{ what: `${o.name} expectation |Δ| (points)`, value: Math.abs(ex(ref.data) - ex(got.data)), limit: T.percent }];
  }
  if ((o.decode === 'softmax' || o.decode === 'logits') && ref.dims.length === 4) {
    // per-pixel class map [N, C, H, W]: softmax over C at each pixel, same arg-max class
    const [n, c, h, w] = ref.dims;
    const hw = h * w;
    let d = 0, same = 0;
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < hw; i++) {
        const at = (t: Tensor) => Array.from({ length: c }, (_, k) => t.data[(b * c + k) * hw + i]);
        const [p, q] = [softmax(at(ref)), softmax(at(got))];
        d = Math.max(d, maxAbsDiff(p, q));
        if (p.indexOf(Math.max(...p)) === q.indexOf(Math.max(...q))) same++;
      }
    }
    return [
      { what: `${o.name} per-pixel probability |Δ|`, value: d, limit: T.sigmoid },
      { what: `${o.name} same class per pixel`, value: same / (n * hw), limit: T.maskAgreement, atLeast: true },
    ];
  }
  if (o.decode === 'softmax' || o.decode === 'logits') {
    const [p, q] = [softmax(ref.data), softmax(got.data)];
    const top = (x: number[]) => x.indexOf(Math.max(...x));
    return [
      { what: `${o.name} probability |Δ|`, value: maxAbsDiff(p, q), limit: T.probability },
      { what: `${o.name} same top class`, value: top(p) === top(q) ? 1 : 0, limit: 1, atLeast: true },
    ];
  }
  if (o.decode === 'sigmoid') {
    let d = 0, same = 0;
    for (let i = 0; i < ref.data.length; i++) {
      const [p, q] = [sigmoid(ref.data[i]), sigmoid(got.data[i])];
      d = Math.max(d, Math.abs(p - q));
      if (p > 0.5 === q > 0.5) same++;
    }
    return [
      { what: `${o.name} probability |Δ|`, value: d, limit: T.sigmoid },
      { what: `${o.name} mask agreement`, value: same / ref.data.length, limit: T.maskAgreement, atLeast: true },
    ];
  }
  return [{ what: `${o.name} raw |Δ|`, value: maxAbsDiff(ref.data, got.data), limit: T.raw }];
}

export const checkPasses = (c: Check) => (c.atLeast ? c.value >= c.limit : c.value <= c.limit);
export const showCheck = (c: Check) => `${c.what} ${c.value.toPrecision(3)} (${c.atLeast ? '>=' : '<='} ${c.limit})`;
