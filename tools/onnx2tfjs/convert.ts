/**
 * ONNX CNN → TFJS graph model (TF GraphDef ops that tfjs-converter executes).
 *
 * Layout: ONNX is NCHW, TF convolutions are NHWC. Every 4-D activation carries a flag saying whether
 * the TF tensor holds it transposed to NHWC; convolution-like ops ask for NHWC, shape ops (Reshape,
 * Flatten, Transpose, ...) ask for the ONNX order, and a Transpose is inserted only where the two meet.
 * The model's external input and outputs keep the ONNX layout (transposes at the boundaries), so a
 * converted model is a drop-in for the ONNX one: same input tensor, same output tensors.
 *
 * Constants (initializers, Constant nodes, DequantizeLinear of int8 weights) are folded at conversion
 * time; a BatchNormalization after a Conv is folded into its weights, and a following Relu/Relu6/
 * LeakyRelu is fused into the TFJS conv kernel. An op without a converter throws
 * UnsupportedOpError naming the op and the node: nothing is silently dropped.
 */
import { broadcastConst, dequantize, size, transposeConst, type ConstTensor } from './constTensor.ts';
import type { AttrValue, OnnxModel, OnnxNode, OnnxTensor } from './onnxProto.ts';
import { attr, TfGraph, type TfAttr } from './tfGraph.ts';

export class UnsupportedOpError extends Error {
  constructor(readonly opType: string, readonly nodeName: string, detail = '') {
    super(`onnx2tfjs: unsupported op ${opType} (node "${nodeName}")${detail ? `: ${detail}` : ''}`);
    this.name = 'UnsupportedOpError';
  }
}

interface Act {
  kind: 'act';
  tf: string;
  /** ONNX-order shape; -1 = unknown (the batch). */
  shape: number[];
  /** The TF tensor holds the 4-D value transposed to NHWC. */
  nhwc: boolean;
}
type Value = Act | { kind: 'const'; c: ConstTensor };

const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];
/** Where ONNX axis a of a 4-D tensor sits in its NHWC form. */
const nhwcAxis = (a: number) => TO_NHWC.indexOf(a);

export interface ConvertedGraph {
  graph: TfGraph;
  inputs: { name: string; shape: number[] }[];
  outputs: { name: string; shape: number[] }[];
  /** ONNX op types seen, with counts (for the report). */
  ops: Record<string, number>;
}

const SUPPORTED_OPS = [
  'Conv', 'ConvTranspose', 'BatchNormalization', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip', 'HardSwish',
  'HardSigmoid', 'Elu', 'Exp', 'Abs', 'Neg', 'Sqrt', 'Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Concat', 'MaxPool',
  'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSum', 'Resize',
  'Gemm', 'MatMul', 'Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Softmax', 'LogSoftmax', 'Pad',
  'DequantizeLinear', 'Constant', 'Identity', 'Dropout', 'Shape (folded)', 'Slice (constants)', 'Gather (constants)', 'Cast',
] as const;

export function convertOnnxGraph(model: OnnxModel): ConvertedGraph {
  return new Converter(model).run();
}

class Converter {
  readonly g = new TfGraph();
  private readonly values = new Map<string, Value>();
  private readonly consumers = new Map<string, OnnxNode[]>();
  private readonly graphOutputs: Set<string>;
  private readonly done = new Set<OnnxNode>();
  private readonly transposed = new Map<string, string>();
  private readonly ops: Record<string, number> = {};

  constructor(private readonly model: OnnxModel) {
    this.graphOutputs = new Set(model.outputs.map((o) => o.name));
    for (const n of model.nodes) for (const i of n.inputs) if (i) (this.consumers.get(i) ?? this.consumers.set(i, []).get(i)!).push(n);
    for (const [name, t] of model.initializers) this.values.set(name, { kind: 'const', c: fromOnnx(t) });
  }

  get opset(): number {
    return this.model.opset;
  }

  run(): ConvertedGraph {
    const m = this.model;
    for (const n of [...m.inputs.map((i) => i.name), ...m.outputs.map((o) => o.name)]) {
      if (/[:^]/.test(n)) throw new Error(`onnx2tfjs: graph input/output name "${n}" contains ':' or '^', which TFJS cannot address`);
      this.g.reserve(n);
    }
    const inputs = m.inputs.map((i) => {
      if (i.elemType !== 1) throw new Error(`onnx2tfjs: input "${i.name}" is not float32 (elem type ${i.elemType})`);
      const shape = (i.shape ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : -1));
      this.values.set(i.name, { kind: 'act', tf: this.g.placeholder(i.name, shape), shape, nhwc: false });
      return { name: i.name, shape };
    });
    // Constant nodes first: fusion looks ahead at consumers (e.g. a Clip's min/max) before they are reached.
    for (const node of m.nodes) {
      if (node.opType !== 'Constant') continue;
      constantHandler(this, node);
      this.markDone(node);
    }
    for (const node of m.nodes) {
      if (this.done.has(node)) continue;
      this.ops[node.opType] = (this.ops[node.opType] ?? 0) + 1;
      if (node.domain && node.domain !== 'ai.onnx') throw new UnsupportedOpError(`${node.domain}.${node.opType}`, node.name);
      const handler = HANDLERS[node.opType];
      if (!handler) throw new UnsupportedOpError(node.opType, node.name, `supported: ${SUPPORTED_OPS.join(', ')}`);
      handler(this, node);
      this.done.add(node);
    }
    const outputs = m.outputs.map((o) => {
      const v = this.get(o.name, '(graph output)');
      const a = this.onnx(this.act(v, o.name));
      this.g.op('Identity', [a.tf], {}, 'Identity', o.name);
      return { name: o.name, shape: a.shape };
    });
    return { graph: this.g, inputs, outputs, ops: this.ops };
  }

  // ---- values ----

  get(name: string, nodeName: string): Value {
    const v = this.values.get(name);
    if (!v) throw new Error(`onnx2tfjs: node "${nodeName}" reads "${name}", which no earlier node produced`);
    return v;
  }
  set(name: string, v: Value): void {
    this.values.set(name, v);
  }
  input(node: OnnxNode, i: number): Value {
    return this.get(node.inputs[i], node.name);
  }
  has(node: OnnxNode, i: number): boolean {
    return !!node.inputs[i];
  }
  constIn(node: OnnxNode, i: number, what: string): ConstTensor {
    const v = this.input(node, i);
    if (v.kind !== 'const') throw new UnsupportedOpError(node.opType, node.name, `${what} (input ${i}) must be a constant`);
    return v.c;
  }
  markDone(node: OnnxNode): void {
    this.done.add(node);
    this.ops[node.opType] = (this.ops[node.opType] ?? 0) + 1;
  }
  /** The single node reading `name`, if there is exactly one and `name` is not a graph output. */
  soleConsumer(name: string): OnnxNode | null {
    const c = this.consumers.get(name) ?? [];
    return c.length === 1 && !this.graphOutputs.has(name) ? c[0] : null;
  }

  /** A value as a TF tensor (constants become Const nodes, in ONNX order). */
  act(v: Value, hint: string): Act {
    if (v.kind === 'act') return v;
    return { kind: 'act', tf: this.g.constant(hint, v.c.data, v.c.dims), shape: v.c.dims.slice(), nhwc: false };
  }
  onnx(a: Act): Act {
    if (!a.nhwc) return a;
    let t = this.transposed.get(a.tf + '>nchw');
    if (!t) {
      t = this.g.op('Transpose', [a.tf, this.g.int32('perm', TO_NCHW)], {}, 'ToNCHW');
      this.transposed.set(a.tf + '>nchw', t);
    }
    return { kind: 'act', tf: t, shape: a.shape, nhwc: false };
  }
  nhwc(a: Act, node: OnnxNode): Act {
    if (a.shape.length !== 4) throw new UnsupportedOpError(node.opType, node.name, `only 2-D spatial (4-D) tensors are supported, got shape [${a.shape}]`);
    if (a.nhwc) return a;
    let t = this.transposed.get(a.tf + '>nhwc');
    if (!t) {
      t = this.g.op('Transpose', [a.tf, this.g.int32('perm', TO_NHWC)], {}, 'ToNHWC');
      this.transposed.set(a.tf + '>nhwc', t);
    }
    return { kind: 'act', tf: t, shape: a.shape, nhwc: true };
  }
  /** A constant in the layout of `like` (for broadcasting against it), as a Const node. */
  constLike(c: ConstTensor, like: Act, hint: string): string {
    if (!like.nhwc) return this.g.constant(hint, c.data, c.dims);
    const r = [...new Array(Math.max(0, 4 - c.dims.length)).fill(1), ...c.dims];
    const t = transposeConst({ dims: r, data: c.data }, TO_NHWC);
    return this.g.constant(hint, t.data, t.dims);
  }
}

// ---------------------------------------------------------------------------------------------

function fromOnnx(t: OnnxTensor): ConstTensor {
  return { dims: t.dims.slice(), data: Float32Array.from(t.values as ArrayLike<number>) };
}

function a(node: OnnxNode, name: string): AttrValue | undefined {
  return node.attrs.get(name);
}
function ai(node: OnnxNode, name: string, def: number): number {
  const v = node.attrs.get(name);
  return v === undefined ? def : Number(v);
}
function af(node: OnnxNode, name: string, def: number): number {
  const v = node.attrs.get(name);
  return v === undefined ? def : Number(v);
}
function ais(node: OnnxNode, name: string, def: number[]): number[] {
  const v = node.attrs.get(name);
  return v === undefined ? def : (v as number[]).map(Number);
}
function as(node: OnnxNode, name: string, def: string): string {
  const v = node.attrs.get(name);
  return v === undefined ? def : String(v);
}
const normAxis = (ax: number, rank: number) => (ax < 0 ? ax + rank : ax);

type Handler = (cx: Converter, node: OnnxNode) => void;

/** Padding for a conv/pool window: TF 'VALID'/'SAME' when equivalent, else explicit [t, b, l, r]. */
function padSpec(
  node: OnnxNode, inHW: number[], k: number[], s: number[], d: number[], ceil = false,
): { out: number[]; pads: number[]; tf: 'VALID' | 'SAME' | 'EXPLICIT' } {
  const autoPad = as(node, 'auto_pad', 'NOTSET');
  let pads = ais(node, 'pads', [0, 0, 0, 0]); // [top, left, bottom, right]
  const eff = k.map((kk, i) => (kk - 1) * d[i] + 1);
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = [0, 0, 0, 0];
    for (let i = 0; i < 2; i++) {
      const out = Math.ceil(inHW[i] / s[i]);
      const total = Math.max(0, (out - 1) * s[i] + eff[i] - inHW[i]);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + 2] = total - pads[i];
    }
  } else if (autoPad === 'VALID') pads = [0, 0, 0, 0];
  const out = [0, 1].map((i) => {
    const v = (inHW[i] + pads[i] + pads[i + 2] - eff[i]) / s[i];
    return (ceil ? Math.ceil(v) : Math.floor(v)) + 1;
  });
  if (ceil) {
    // ceil_mode adds windows that start inside the padded input: extend bottom/right padding to reach them.
    for (let i = 0; i < 2; i++) pads[i + 2] = Math.max(pads[i + 2], (out[i] - 1) * s[i] + eff[i] - inHW[i] - pads[i]);
  }
  const tbLr = [pads[0], pads[2], pads[1], pads[3]];
  if (tbLr.every((p) => p === 0)) return { out, pads: tbLr, tf: 'VALID' };
  const same = [0, 1].every((i) => {
    const o = Math.ceil(inHW[i] / s[i]);
    const total = Math.max(0, (o - 1) * s[i] + eff[i] - inHW[i]);
    return o === out[i] && pads[i] === Math.floor(total / 2) && pads[i + 2] === total - Math.floor(total / 2);
  });
  return { out, pads: tbLr, tf: same ? 'SAME' : 'EXPLICIT' };
}

const ACTIVATIONS: Record<string, (n: OnnxNode, cx: Converter) => { op: string; attrs?: Record<string, TfAttr> } | null> = {
  Relu: () => ({ op: 'Relu' }),
  LeakyRelu: (n) => ({ op: 'LeakyRelu', attrs: { leakyrelu_alpha: attr.f(af(n, 'alpha', 0.01)) } }),
  Clip: (n, cx) => {
    const [lo, hi] = clipRange(cx, n);
    return lo === 0 && hi === 6 ? { op: 'Relu6' } : null;
  },
};

function clipRange(cx: Converter, n: OnnxNode): [number, number] {
  if (cx.opset < 11) return [af(n, 'min', -3.4028234663852886e38), af(n, 'max', 3.4028234663852886e38)];
  const lo = cx.has(n, 1) ? cx.constIn(n, 1, 'min').data[0] : -3.4028234663852886e38;
  const hi = cx.has(n, 2) ? cx.constIn(n, 2, 'max').data[0] : 3.4028234663852886e38;
  return [lo, hi];
}

/** Folds a BatchNormalization into per-output-channel scale/shift. */
function bnScaleShift(cx: Converter, bn: OnnxNode): { scale: Float32Array; shift: Float32Array } {
  const [g, b, m, v] = [1, 2, 3, 4].map((i) => cx.constIn(bn, i, ['scale', 'bias', 'mean', 'var'][i - 1]).data);
  const eps = af(bn, 'epsilon', 1e-5);
  const scale = new Float32Array(g.length), shift = new Float32Array(g.length);
  for (let c = 0; c < g.length; c++) {
    scale[c] = g[c] / Math.sqrt(v[c] + eps);
    shift[c] = b[c] - m[c] * scale[c];
  }
  return { scale, shift };
}

function convHandler(cx: Converter, node: OnnxNode): void {
  const x = cx.nhwc(cx.act(cx.input(node, 0), node.name), node);
  const w = cx.constIn(node, 1, 'weight');
  if (w.dims.length !== 4) throw new UnsupportedOpError('Conv', node.name, `only 2-D convolutions, weight dims [${w.dims}]`);
  const [M, Cg, kh, kw] = w.dims;
  const group = ai(node, 'group', 1);
  const C = x.shape[1];
  if (Cg * group !== C) throw new UnsupportedOpError('Conv', node.name, `weight [${w.dims}] does not match ${C} input channels with group ${group}`);
  const s = ais(node, 'strides', [1, 1]);
  const d = ais(node, 'dilations', [1, 1]);
  const p = padSpec(node, [x.shape[2], x.shape[3]], [kh, kw], s, d);
  let bias = cx.has(node, 2) ? Float32Array.from(cx.constIn(node, 2, 'bias').data) : new Float32Array(M);
  let weight = w.data;

  // Fold a following BatchNormalization, then fuse a following activation.
  let outName = node.outputs[0];
  const bn = cx.soleConsumer(outName);
  if (bn?.opType === 'BatchNormalization' && [1, 2, 3, 4].every((i) => cx.input(bn, i).kind === 'const')) {
    const { scale, shift } = bnScaleShift(cx, bn);
    weight = Float32Array.from(weight);
    const per = Cg * kh * kw;
    for (let m = 0; m < M; m++) {
      for (let i = 0; i < per; i++) weight[m * per + i] *= scale[m];
      bias[m] = bias[m] * scale[m] + shift[m];
    }
    cx.markDone(bn);
    outName = bn.outputs[0];
  }
  let fused: string[] = ['BiasAdd'];
  const extra: Record<string, TfAttr> = {};
  const actNode = cx.soleConsumer(outName);
  const act = actNode && ACTIVATIONS[actNode.opType]?.(actNode, cx);
  if (actNode && act) {
    fused = ['BiasAdd', act.op];
    Object.assign(extra, act.attrs ?? {});
    cx.markDone(actNode);
    outName = actNode.outputs[0];
  }
  const common: Record<string, TfAttr> = {
    strides: attr.ints([1, s[0], s[1], 1]),
    padding: attr.str(p.tf),
    explicit_paddings: attr.ints(p.tf === 'EXPLICIT' ? [0, 0, p.pads[0], p.pads[1], p.pads[2], p.pads[3], 0, 0] : []),
    data_format: attr.str('NHWC'),
    dilations: attr.ints([1, d[0], d[1], 1]),
    fused_ops: attr.strs(fused),
    num_args: attr.int(1),
    epsilon: attr.f(0),
    ...extra,
  };
  const outShape = [x.shape[0], M, p.out[0], p.out[1]];
  const wt = transposeConst({ dims: w.dims, data: weight }, [2, 3, 1, 0]); // [kh, kw, C/g, M]
  let tf: string;
  if (group === 1) {
    tf = cx.g.op('_FusedConv2D', [x.tf, cx.g.constant('filter', wt.data, wt.dims), cx.g.constant('bias', bias, [M])], common, 'Conv');
  } else if (group === C && Cg === 1) {
    // depthwise: TF output channel c*mult+k = ONNX output channel c*mult+k; filter [kh, kw, C, mult]
    const f = { dims: [kh, kw, C, M / C], data: wt.data };
    tf = cx.g.op('FusedDepthwiseConv2dNative', [x.tf, cx.g.constant('dwfilter', f.data, f.dims), cx.g.constant('bias', bias, [M])], common, 'DepthwiseConv');
  } else {
    // general grouped conv: split channels, one conv per group, concatenate
    const parts = cx.g.op('Split', [cx.g.int32('axis', [3], []), x.tf], { num_split: attr.int(group) }, 'GroupSplit');
    const Mg = M / group;
    const outs: string[] = [];
    for (let gi = 0; gi < group; gi++) {
      const wg = transposeConst({ dims: [Mg, Cg, kh, kw], data: weight.subarray(gi * Mg * Cg * kh * kw, (gi + 1) * Mg * Cg * kh * kw) }, [2, 3, 1, 0]);
      outs.push(cx.g.op('_FusedConv2D', [`${parts}:${gi}`, cx.g.constant('filter', wg.data, wg.dims), cx.g.constant('bias', bias.slice(gi * Mg, (gi + 1) * Mg), [Mg])], common, 'GroupConv'));
    }
    tf = cx.g.op('ConcatV2', [...outs, cx.g.int32('axis', [3], [])], { N: attr.int(group) }, 'GroupConcat');
  }
  cx.set(outName, { kind: 'act', tf, shape: outShape, nhwc: true });
}

function convTransposeHandler(cx: Converter, node: OnnxNode): void {
  const x = cx.nhwc(cx.act(cx.input(node, 0), node.name), node);
  const w = cx.constIn(node, 1, 'weight'); // [C, M/g, kh, kw]
  const group = ai(node, 'group', 1);
  const d = ais(node, 'dilations', [1, 1]);
  if (group !== 1 || d.some((v) => v !== 1)) throw new UnsupportedOpError('ConvTranspose', node.name, 'only group=1 and dilation 1');
  if (a(node, 'output_shape') !== undefined) throw new UnsupportedOpError('ConvTranspose', node.name, 'output_shape attribute (use pads)');
  const autoPad = as(node, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw new UnsupportedOpError('ConvTranspose', node.name, `auto_pad ${autoPad}`);
  const [, M, kh, kw] = w.dims;
  const s = ais(node, 'strides', [1, 1]);
  const pads = autoPad === 'VALID' ? [0, 0, 0, 0] : ais(node, 'pads', [0, 0, 0, 0]);
  const op = ais(node, 'output_padding', [0, 0]);
  const H = x.shape[2], W = x.shape[3];
  // TF VALID transpose conv gives the full (in-1)*s + k output; ONNX crops pads and appends output_padding.
  const full = [(H - 1) * s[0] + kh, (W - 1) * s[1] + kw];
  const out = [full[0] - pads[0] - pads[2] + op[0], full[1] - pads[1] - pads[3] + op[1]];
  const filt = transposeConst(w, [2, 3, 1, 0]); // [kh, kw, M, C]
  const batch = cx.g.op('StridedSlice', [
    cx.g.op('Shape', [x.tf], { out_type: { type: 'DT_INT32' } }, 'Shape'),
    cx.g.int32('begin', [0]), cx.g.int32('end', [1]), cx.g.int32('strides', [1]),
  ], { begin_mask: attr.int(0), end_mask: attr.int(0), ellipsis_mask: attr.int(0), new_axis_mask: attr.int(0), shrink_axis_mask: attr.int(0) }, 'Batch');
  const outShape = cx.g.op('ConcatV2', [batch, cx.g.int32('hwc', [full[0], full[1], M]), cx.g.int32('axis', [0], [])], { N: attr.int(2) }, 'OutShape');
  let tf = cx.g.op('Conv2DBackpropInput', [outShape, cx.g.constant('filter', filt.data, filt.dims), x.tf], {
    strides: attr.ints([1, s[0], s[1], 1]), padding: attr.str('VALID'), data_format: attr.str('NHWC'), dilations: attr.ints([1, 1, 1, 1]),
  }, 'ConvTranspose');
  const keepH = Math.min(out[0], full[0] - pads[0]), keepW = Math.min(out[1], full[1] - pads[1]);
  if (pads.some((v) => v !== 0)) {
    tf = cx.g.op('Slice', [tf, cx.g.int32('begin', [0, pads[0], pads[1], 0]), cx.g.int32('size', [-1, keepH, keepW, -1])], {}, 'Crop');
  }
  if (out[0] > keepH || out[1] > keepW) {
    tf = cx.g.op('Pad', [tf, cx.g.int32('paddings', [0, 0, 0, out[0] - keepH, 0, out[1] - keepW, 0, 0], [4, 2])], {}, 'OutputPadding');
  }
  if (cx.has(node, 2)) tf = cx.g.op('BiasAdd', [tf, cx.g.constant('bias', cx.constIn(node, 2, 'bias').data, [M])], { data_format: attr.str('NHWC') });
  cx.set(node.outputs[0], { kind: 'act', tf, shape: [x.shape[0], M, out[0], out[1]], nhwc: true });
}

function batchNormHandler(cx: Converter, node: OnnxNode): void {
  const x = cx.act(cx.input(node, 0), node.name);
  const { scale, shift } = bnScaleShift(cx, node);
  // per channel (ONNX axis 1): [C, 1, ...] trailing ones in ONNX order, [C] on NHWC
  const trail = x.nhwc ? [] : new Array(Math.max(0, x.shape.length - 2)).fill(1);
  const sc = x.nhwc ? [scale.length] : [scale.length, ...trail];
  const mul = cx.g.op('Mul', [x.tf, cx.g.constant('bn_scale', scale, sc)], {}, 'BNScale');
  const tf = cx.g.op('AddV2', [mul, cx.g.constant('bn_shift', shift, sc)], {}, 'BNShift');
  cx.set(node.outputs[0], { ...x, tf });
}

function unary(op: string, attrs: (n: OnnxNode) => Record<string, TfAttr> = () => ({})): Handler {
  return (cx, node) => {
    const x = cx.act(cx.input(node, 0), node.name);
    cx.set(node.outputs[0], { ...x, tf: cx.g.op(op, [x.tf], attrs(node), node.opType) });
  };
}

function clipHandler(cx: Converter, node: OnnxNode): void {
  const x = cx.act(cx.input(node, 0), node.name);
  const [lo, hi] = clipRange(cx, node);
  const tf = lo === 0 && hi === 6
    ? cx.g.op('Relu6', [x.tf])
    : cx.g.op('ClipByValue', [x.tf, cx.g.constant('lo', Float32Array.of(lo), []), cx.g.constant('hi', Float32Array.of(hi), [])], {}, 'Clip');
  cx.set(node.outputs[0], { ...x, tf });
}

function hardSwishHandler(cx: Converter, node: OnnxNode): void {
  // x * relu6(x + 3) / 6
  const x = cx.act(cx.input(node, 0), node.name);
  const r = cx.g.op('Relu6', [cx.g.op('AddV2', [x.tf, cx.g.constant('three', Float32Array.of(3), [])])]);
  const tf = cx.g.op('Mul', [cx.g.op('Mul', [x.tf, r]), cx.g.constant('sixth', Float32Array.of(1 / 6), [])], {}, 'HardSwish');
  cx.set(node.outputs[0], { ...x, tf });
}

function hardSigmoidHandler(cx: Converter, node: OnnxNode): void {
  const x = cx.act(cx.input(node, 0), node.name);
  const ax = cx.g.op('AddV2', [cx.g.op('Mul', [x.tf, cx.g.constant('alpha', Float32Array.of(af(node, 'alpha', 0.2)), [])]), cx.g.constant('beta', Float32Array.of(af(node, 'beta', 0.5)), [])]);
  const tf = cx.g.op('ClipByValue', [ax, cx.g.constant('zero', Float32Array.of(0), []), cx.g.constant('one', Float32Array.of(1), [])], {}, 'HardSigmoid');
  cx.set(node.outputs[0], { ...x, tf });
}

const BINARY: Record<string, { tf: string; f: (x: number, y: number) => number }> = {
  Add: { tf: 'AddV2', f: (x, y) => x + y },
  Sub: { tf: 'Sub', f: (x, y) => x - y },
  Mul: { tf: 'Mul', f: (x, y) => x * y },
  Div: { tf: 'RealDiv', f: (x, y) => x / y },
  Max: { tf: 'Maximum', f: Math.max },
  Min: { tf: 'Minimum', f: Math.min },
};

function broadcastShape(p: number[], q: number[]): number[] {
  const r = Math.max(p.length, q.length);
  const pp = [...new Array(r - p.length).fill(1), ...p], qq = [...new Array(r - q.length).fill(1), ...q];
  return pp.map((d, i) => (d === 1 ? qq[i] : qq[i] === 1 ? d : d === -1 ? qq[i] : d));
}

function binaryHandler(cx: Converter, node: OnnxNode): void {
  const spec = BINARY[node.opType];
  if (node.inputs.length !== 2) throw new UnsupportedOpError(node.opType, node.name, `${node.inputs.length} inputs (only 2)`);
  const [va, vb] = [cx.input(node, 0), cx.input(node, 1)];
  if (va.kind === 'const' && vb.kind === 'const') {
    cx.set(node.outputs[0], { kind: 'const', c: broadcastConst(va.c, vb.c, spec.f) });
    return;
  }
  let x: Act, y: Act;
  if (va.kind === 'const' || vb.kind === 'const') {
    const act = (va.kind === 'act' ? va : vb) as Act;
    const c = (va.kind === 'const' ? va.c : (vb as { c: ConstTensor }).c);
    const useNhwc = act.nhwc && c.dims.length <= 4;
    const base = useNhwc ? act : cx.onnx(act);
    const ct: Act = { kind: 'act', tf: cx.constLike(c, base, 'operand'), shape: c.dims, nhwc: base.nhwc };
    [x, y] = va.kind === 'act' ? [base, ct] : [ct, base];
  } else {
    x = va; y = vb;
    if (x.nhwc !== y.nhwc) {
      if (x.shape.length === 4 && y.shape.length === 4) { x = cx.nhwc(x, node); y = cx.nhwc(y, node); }
      else { x = cx.onnx(x); y = cx.onnx(y); }
    }
  }
  const tf = cx.g.op(spec.tf, [x.tf, y.tf], {}, node.opType);
  const va4 = va.kind === 'act' ? va.shape : va.c.dims;
  const vb4 = vb.kind === 'act' ? vb.shape : vb.c.dims;
  cx.set(node.outputs[0], { kind: 'act', tf, shape: broadcastShape(va4, vb4), nhwc: x.nhwc || y.nhwc });
}

function concatHandler(cx: Converter, node: OnnxNode): void {
  const vals = node.inputs.map((_, i) => cx.input(node, i));
  const acts = vals.filter((v): v is Act => v.kind === 'act');
  if (!acts.length) {
    const cs = vals.map((v) => (v as { c: ConstTensor }).c);
    if (cs.some((c) => c.dims.length !== 1)) throw new UnsupportedOpError('Concat', node.name, 'constant folding of non-1-D constants');
    const data = Float32Array.from(cs.flatMap((c) => Array.from(c.data)));
    cx.set(node.outputs[0], { kind: 'const', c: { dims: [data.length], data } });
    return;
  }
  const rank = acts[0].shape.length;
  const axis = normAxis(ai(node, 'axis', 1), rank);
  const useNhwc = rank === 4 && acts.every((v) => v.nhwc);
  const parts = vals.map((v, i) => {
    if (v.kind === 'const') return useNhwc ? cx.constLike(v.c, { kind: 'act', tf: '', shape: v.c.dims, nhwc: true }, 'concat_const') : cx.g.constant('concat_const', v.c.data, v.c.dims);
    return (useNhwc ? v : cx.onnx(v)).tf ?? String(i);
  });
  const tfAxis = useNhwc ? nhwcAxis(axis) : axis;
  const tf = cx.g.op('ConcatV2', [...parts, cx.g.int32('axis', [tfAxis], [])], { N: attr.int(parts.length) }, 'Concat');
  const shape = acts[0].shape.slice();
  shape[axis] = vals.reduce((s, v) => {
    const d = v.kind === 'act' ? v.shape[axis] : v.c.dims[axis];
    return s < 0 || d < 0 ? -1 : s + d;
  }, 0);
  cx.set(node.outputs[0], { kind: 'act', tf, shape, nhwc: useNhwc });
}

function poolHandler(cx: Converter, node: OnnxNode): void {
  const x = cx.nhwc(cx.act(cx.input(node, 0), node.name), node);
  const k = ais(node, 'kernel_shape', []);
  if (k.length !== 2) throw new UnsupportedOpError(node.opType, node.name, `kernel_shape [${k}] (only 2-D)`);
  const s = ais(node, 'strides', [1, 1]);
  const d = ais(node, 'dilations', [1, 1]);
  if (d.some((v) => v !== 1)) throw new UnsupportedOpError(node.opType, node.name, 'dilated pooling');
  const p = padSpec(node, [x.shape[2], x.shape[3]], k, s, d, ai(node, 'ceil_mode', 0) === 1);
  const isMax = node.opType === 'MaxPool';
  if (isMax && node.outputs.length > 1 && node.outputs[1]) throw new UnsupportedOpError('MaxPool', node.name, 'Indices output');
  let input = x.tf;
  let padding: 'VALID' | 'SAME' = p.tf === 'EXPLICIT' ? 'VALID' : p.tf;
  if (p.tf === 'EXPLICIT' || (p.tf === 'SAME' && !isMax && ai(node, 'count_include_pad', 0) === 1)) {
    if (!isMax && ai(node, 'count_include_pad', 0) === 0) {
      throw new UnsupportedOpError('AveragePool', node.name, `pads [${p.pads}] that TF 'SAME' cannot express with count_include_pad=0`);
    }
    // max: pad with the lowest float (never selected); avg with count_include_pad=1: zeros count
    const v = isMax ? -3.4028234663852886e38 : 0;
    input = cx.g.op('PadV2', [x.tf, cx.g.int32('paddings', [0, 0, p.pads[0], p.pads[1], p.pads[2], p.pads[3], 0, 0], [4, 2]), cx.g.constant('pad_value', Float32Array.of(v), [])], {}, 'PoolPad');
    padding = 'VALID';
  }
  const tf = cx.g.op(isMax ? 'MaxPool' : 'AvgPool', [input], {
    ksize: attr.ints([1, k[0], k[1], 1]), strides: attr.ints([1, s[0], s[1], 1]), padding: attr.str(padding), data_format: attr.str('NHWC'),
  }, node.opType);
  cx.set(node.outputs[0], { kind: 'act', tf, shape: [x.shape[0], x.shape[1], p.out[0], p.out[1]], nhwc: true });
}

function reduce(tfOp: string, x: Act, cx: Converter, node: OnnxNode, axes: number[], keep: boolean): void {
  const rank = x.shape.length;
  const ax = (axes.length ? axes : x.shape.map((_, i) => i)).map((v) => normAxis(v, rank)).sort();
  let src = x;
  if (x.nhwc && !keep) {
    // Without keepdims the remaining NHWC dims must still be in ONNX order to stay a plain tensor.
    const rest = TO_NHWC.filter((d) => !ax.includes(d));
    if (!rest.every((d, i) => i === 0 || d > rest[i - 1])) src = cx.onnx(x);
  }
  const tfAxes = src.nhwc ? ax.map(nhwcAxis) : ax;
  const tf = cx.g.op(tfOp, [src.tf, cx.g.int32('axes', tfAxes)], { keep_dims: attr.b(keep) }, node.opType);
  const shape = keep ? src.shape.map((d, i) => (ax.includes(i) ? 1 : d)) : src.shape.filter((_, i) => !ax.includes(i));
  cx.set(node.outputs[0], { kind: 'act', tf, shape, nhwc: keep && src.nhwc });
}

function reduceHandler(tfOp: string): Handler {
  return (cx, node) => {
    const x = cx.act(cx.input(node, 0), node.name);
    const fromInput = cx.has(node, 1);
    const axes = fromInput ? Array.from(cx.constIn(node, 1, 'axes').data) : ais(node, 'axes', []);
    if (!axes.length && ai(node, 'noop_with_empty_axes', 0) === 1) { cx.set(node.outputs[0], x); return; }
    reduce(tfOp, x, cx, node, axes, ai(node, 'keepdims', 1) === 1);
  };
}

function globalPoolHandler(tfOp: string): Handler {
  return (cx, node) => reduce(tfOp, cx.nhwc(cx.act(cx.input(node, 0), node.name), node), cx, node, [2, 3], true);
}

/** Source index ONNX Resize (nearest) reads for output index i, and the ones TF's three variants read. */
function nearestIndices(inN: number, outN: number, scale: number, ctm: string, mode: string): number[] | null {
  const idx: number[] = [];
  for (let i = 0; i < outN; i++) {
    let x: number;
    if (ctm === 'asymmetric') x = i / scale;
    else if (ctm === 'half_pixel') x = (i + 0.5) / scale - 0.5;
    else if (ctm === 'pytorch_half_pixel') x = outN > 1 ? (i + 0.5) / scale - 0.5 : 0;
    else if (ctm === 'align_corners') x = outN > 1 ? (i * (inN - 1)) / (outN - 1) : 0;
    else if (ctm === 'tf_half_pixel_for_nn') x = (i + 0.5) / scale;
    else return null;
    let r: number;
    if (mode === 'floor') r = Math.floor(x);
    else if (mode === 'ceil') r = Math.ceil(x);
    else if (mode === 'round_prefer_floor') r = x % 1 === 0.5 ? Math.floor(x) : Math.round(x);
    else r = Math.round(x); // round_prefer_ceil: Math.round rounds .5 up
    idx.push(Math.min(inN - 1, Math.max(0, r)));
  }
  return idx;
}

function tfNearestIndices(inN: number, outN: number, alignCorners: boolean, halfPixel: boolean): number[] {
  const ratio = alignCorners && outN > 1 ? (inN - 1) / (outN - 1) : inN / outN;
  const idx: number[] = [];
  for (let i = 0; i < outN; i++) {
    const f = halfPixel ? ratio * (i + 0.5) : ratio * i;
    let r = Math.min(inN - 1, alignCorners ? Math.round(f) : Math.floor(f));
    if (halfPixel) r = Math.max(0, r);
    idx.push(r);
  }
  return idx;
}

function resizeHandler(cx: Converter, node: OnnxNode): void {
  const x = cx.nhwc(cx.act(cx.input(node, 0), node.name), node);
  const [, , H, W] = x.shape;
  if (H < 0 || W < 0) throw new UnsupportedOpError('Resize', node.name, 'input height/width must be static');
  const scaleIdx = cx.opset >= 11 ? 2 : 1;
  let out: number[];
  let scales: number[];
  const sizesIn = cx.opset >= 11 && cx.has(node, 3) ? cx.constIn(node, 3, 'sizes').data : null;
  if (sizesIn && sizesIn.length) {
    out = [sizesIn[2], sizesIn[3]];
    if (sizesIn[0] !== x.shape[0] && x.shape[0] !== -1 || sizesIn[1] !== x.shape[1]) throw new UnsupportedOpError('Resize', node.name, 'resizing batch or channels');
    scales = [out[0] / H, out[1] / W];
  } else {
    const sc = cx.constIn(node, scaleIdx, 'scales').data;
    if (sc[0] !== 1 || sc[1] !== 1) throw new UnsupportedOpError('Resize', node.name, `scales [${Array.from(sc)}] resize batch or channels`);
    scales = [sc[2], sc[3]];
    out = [Math.floor(H * scales[0]), Math.floor(W * scales[1])];
  }
  const mode = as(node, 'mode', 'nearest');
  const ctm = as(node, 'coordinate_transformation_mode', 'half_pixel');
  if (ai(node, 'antialias', 0) === 1 && (out[0] < H || out[1] < W)) throw new UnsupportedOpError('Resize', node.name, 'antialias downscaling');
  // TF maps coordinates with in/out; ONNX with the given scale. They agree only when out = in * scale.
  if (Math.abs(out[0] - H * scales[0]) > 1e-6 || Math.abs(out[1] - W * scales[1]) > 1e-6) {
    throw new UnsupportedOpError('Resize', node.name, `non-integral output size ${H}x${W} * [${scales}]`);
  }
  const size = cx.g.int32('size', out);
  let tf: string;
  if (mode === 'linear') {
    const map: Record<string, [boolean, boolean]> = {
      half_pixel: [false, true], pytorch_half_pixel: [false, true], align_corners: [true, false], asymmetric: [false, false],
    };
    const f = map[ctm];
    if (!f || (ctm === 'pytorch_half_pixel' && (out[0] === 1 || out[1] === 1))) {
      throw new UnsupportedOpError('Resize', node.name, `linear with coordinate_transformation_mode ${ctm}`);
    }
    tf = cx.g.op('ResizeBilinear', [x.tf, size], { align_corners: attr.b(f[0]), half_pixel_centers: attr.b(f[1]) }, 'ResizeBilinear');
  } else if (mode === 'nearest') {
    const nm = as(node, 'nearest_mode', 'round_prefer_floor');
    const want = [0, 1].map((i) => nearestIndices([H, W][i], out[i], scales[i], ctm, nm));
    if (!want[0] || !want[1]) throw new UnsupportedOpError('Resize', node.name, `nearest with coordinate_transformation_mode ${ctm}`);
    const variant = ([[false, false], [false, true], [true, false]] as [boolean, boolean][]).find(([ac, hp]) =>
      [0, 1].every((i) => tfNearestIndices([H, W][i], out[i], ac, hp).every((v, j) => v === want[i]![j])));
    if (!variant) throw new UnsupportedOpError('Resize', node.name, `nearest (${ctm}, ${nm}) for ${H}x${W} -> ${out[0]}x${out[1]} matches no TF variant`);
    tf = cx.g.op('ResizeNearestNeighbor', [x.tf, size], { align_corners: attr.b(variant[0]), half_pixel_centers: attr.b(variant[1]) }, 'ResizeNearest');
  } else throw new UnsupportedOpError('Resize', node.name, `mode ${mode}`);
  cx.set(node.outputs[0], { kind: 'act', tf, shape: [x.shape[0], x.shape[1], out[0], out[1]], nhwc: true });
}

function gemmHandler(cx: Converter, node: OnnxNode): void {
  const A = cx.onnx(cx.act(cx.input(node, 0), node.name));
  if (A.shape.length !== 2) throw new UnsupportedOpError('Gemm', node.name, `input A of rank ${A.shape.length}`);
  const alpha = af(node, 'alpha', 1), beta = af(node, 'beta', 1);
  const transA = ai(node, 'transA', 0) === 1, transB = ai(node, 'transB', 0) === 1;
  const vb = cx.input(node, 1);
  let tf: string;
  let M: number;
  if (vb.kind === 'const') {
    let B = transB ? transposeConst(vb.c, [1, 0]) : vb.c; // [K, M]
    if (alpha !== 1) B = { dims: B.dims, data: B.data.map((v) => v * alpha) };
    M = B.dims[1];
    tf = cx.g.op('MatMul', [A.tf, cx.g.constant('gemm_b', B.data, B.dims)], { transpose_a: attr.b(transA), transpose_b: attr.b(false) }, 'Gemm');
  } else {
    if (alpha !== 1) throw new UnsupportedOpError('Gemm', node.name, 'alpha != 1 with a non-constant B');
    M = transB ? vb.shape[0] : vb.shape[1];
    tf = cx.g.op('MatMul', [A.tf, cx.onnx(vb).tf], { transpose_a: attr.b(transA), transpose_b: attr.b(transB) }, 'Gemm');
  }
  if (cx.has(node, 2)) {
    const c = cx.constIn(node, 2, 'C');
    const data = c.data.map((v) => v * beta);
    if (size(c.dims) === M && (c.dims.length === 1 || c.dims[0] === 1)) tf = cx.g.op('BiasAdd', [tf, cx.g.constant('gemm_c', data, [M])], { data_format: attr.str('NHWC') }, 'GemmBias');
    else tf = cx.g.op('AddV2', [tf, cx.g.constant('gemm_c', data, c.dims)], {}, 'GemmC');
  }
  cx.set(node.outputs[0], { kind: 'act', tf, shape: [transA ? A.shape[1] : A.shape[0], M], nhwc: false });
}

function matMulHandler(cx: Converter, node: OnnxNode): void {
  const A = cx.onnx(cx.act(cx.input(node, 0), node.name));
  const vb = cx.input(node, 1);
  const B = vb.kind === 'const' ? { tf: cx.g.constant('matmul_b', vb.c.data, vb.c.dims), shape: vb.c.dims } : cx.onnx(vb);
  if (A.shape.length < 2 || B.shape.length < 2) throw new UnsupportedOpError('MatMul', node.name, 'rank-1 operands');
  const op = A.shape.length === 2 && B.shape.length === 2 ? 'MatMul' : 'BatchMatMulV2';
  const tf = cx.g.op(op, [A.tf, B.tf], op === 'MatMul' ? { transpose_a: attr.b(false), transpose_b: attr.b(false) } : { adj_x: attr.b(false), adj_y: attr.b(false) }, 'MatMul');
  const batch = broadcastShape(A.shape.slice(0, -2), B.shape.slice(0, -2));
  cx.set(node.outputs[0], { kind: 'act', tf, shape: [...batch, A.shape[A.shape.length - 2], B.shape[B.shape.length - 1]], nhwc: false });
}

/** Reshape an activation to a known ONNX shape (at most one unknown dimension). */
function reshapeTo(cx: Converter, node: OnnxNode, v: Value, shape: number[]): void {
  if (v.kind === 'const') {
    cx.set(node.outputs[0], { kind: 'const', c: { dims: shape, data: v.c.data } });
    return;
  }
  if (shape.filter((d) => d < 0).length > 1) throw new UnsupportedOpError(node.opType, node.name, `output shape [${shape}] has more than one unknown dimension`);
  const x = cx.onnx(v);
  const tf = cx.g.op('Reshape', [x.tf, cx.g.int32('shape', shape)], {}, node.opType);
  cx.set(node.outputs[0], { kind: 'act', tf, shape, nhwc: false });
}
const shapeOf = (v: Value) => (v.kind === 'act' ? v.shape : v.c.dims);
const knownProduct = (dims: number[]) => (dims.some((d) => d < 0) ? -1 : size(dims));

function flattenHandler(cx: Converter, node: OnnxNode): void {
  const v = cx.input(node, 0);
  const s = shapeOf(v);
  const axis = normAxis(ai(node, 'axis', 1), s.length);
  reshapeTo(cx, node, v, [knownProduct(s.slice(0, axis)), knownProduct(s.slice(axis))]);
}

function reshapeHandler(cx: Converter, node: OnnxNode): void {
  const v = cx.input(node, 0);
  const s = shapeOf(v);
  const target = Array.from(cx.constIn(node, 1, 'shape').data);
  const allowZero = ai(node, 'allowzero', 0) === 1;
  const out = target.map((d, i) => (d === 0 && !allowZero ? s[i] : d));
  // Resolve an explicit -1 when every other dimension (and the input) is known.
  const known = out.filter((d) => d >= 0);
  if (out.filter((d) => d < 0).length === 1 && !s.some((d) => d < 0)) out[out.indexOf(-1)] = size(s) / size(known);
  reshapeTo(cx, node, v, out);
}

function squeezeHandler(cx: Converter, node: OnnxNode): void {
  const v = cx.input(node, 0);
  const s = shapeOf(v);
  const axes = (cx.has(node, 1) ? Array.from(cx.constIn(node, 1, 'axes').data) : ais(node, 'axes', [])).map((x) => normAxis(x, s.length));
  const out = s.filter((d, i) => (axes.length ? !axes.includes(i) : d !== 1));
  reshapeTo(cx, node, v, out);
}

function unsqueezeHandler(cx: Converter, node: OnnxNode): void {
  const v = cx.input(node, 0);
  const s = shapeOf(v);
  const raw = cx.has(node, 1) ? Array.from(cx.constIn(node, 1, 'axes').data) : ais(node, 'axes', []);
  const rank = s.length + raw.length;
  const axes = raw.map((x) => normAxis(x, rank));
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : s[k++]);
  reshapeTo(cx, node, v, out);
}

function transposeHandler(cx: Converter, node: OnnxNode): void {
  const v = cx.input(node, 0);
  const s = shapeOf(v);
  const perm = ais(node, 'perm', s.map((_, i) => s.length - 1 - i));
  if (v.kind === 'const') { cx.set(node.outputs[0], { kind: 'const', c: transposeConst(v.c, perm) }); return; }
  const x = cx.onnx(v);
  const tf = cx.g.op('Transpose', [x.tf, cx.g.int32('perm', perm)], {}, 'Transpose');
  cx.set(node.outputs[0], { kind: 'act', tf, shape: perm.map((p) => s[p]), nhwc: false });
}

function softmaxHandler(tfOp: string): Handler {
  return (cx, node) => {
    const v = cx.act(cx.input(node, 0), node.name);
    const rank = v.shape.length;
    const axis = normAxis(ai(node, 'axis', cx.opset >= 13 ? -1 : 1), rank);
    if (cx.opset < 13 && axis !== rank - 1) {
      throw new UnsupportedOpError(node.opType, node.name, `opset < 13 softmax over the flattened dims ${axis}..${rank - 1}`);
    }
    if (v.nhwc && axis === 1) { // channels are last in NHWC
      cx.set(node.outputs[0], { ...v, tf: cx.g.op(tfOp, [v.tf], {}, node.opType) });
      return;
    }
    const x = cx.onnx(v);
    if (axis === rank - 1) { cx.set(node.outputs[0], { ...x, tf: cx.g.op(tfOp, [x.tf], {}, node.opType) }); return; }
    const perm = x.shape.map((_, i) => i);
    [perm[axis], perm[rank - 1]] = [perm[rank - 1], perm[axis]];
    const t = cx.g.op('Transpose', [x.tf, cx.g.int32('perm', perm)]);
    const sm = cx.g.op(tfOp, [t], {}, node.opType);
    cx.set(node.outputs[0], { ...x, tf: cx.g.op('Transpose', [sm, cx.g.int32('perm', perm)]) });
  };
}

function padHandler(cx: Converter, node: OnnxNode): void {
  const v = cx.act(cx.input(node, 0), node.name);
  const rank = v.shape.length;
  const pads = cx.opset >= 11 ? Array.from(cx.constIn(node, 1, 'pads').data) : ais(node, 'pads', []);
  if (cx.opset >= 18 && cx.has(node, 3)) throw new UnsupportedOpError('Pad', node.name, 'axes input');
  const value = cx.opset >= 11 ? (cx.has(node, 2) ? cx.constIn(node, 2, 'constant_value').data[0] : 0) : af(node, 'value', 0);
  const mode = as(node, 'mode', 'constant');
  const onnxPairs = Array.from({ length: rank }, (_, i) => [pads[i], pads[i + rank]]);
  if (onnxPairs.flat().some((p) => p < 0)) throw new UnsupportedOpError('Pad', node.name, 'negative pads (cropping)');
  const pairs = v.nhwc ? TO_NHWC.map((d) => onnxPairs[d]) : onnxPairs;
  const paddings = cx.g.int32('paddings', pairs.flat(), [rank, 2]);
  let tf: string;
  if (mode === 'constant') tf = cx.g.op('PadV2', [v.tf, paddings, cx.g.constant('pad_value', Float32Array.of(value), [])], {}, 'Pad');
  else if (mode === 'reflect') tf = cx.g.op('MirrorPad', [v.tf, paddings], { mode: attr.str('REFLECT') }, 'Pad');
  else throw new UnsupportedOpError('Pad', node.name, `mode ${mode}`);
  cx.set(node.outputs[0], { ...v, tf, shape: v.shape.map((d, i) => (d < 0 ? d : d + onnxPairs[i][0] + onnxPairs[i][1])) });
}

function dequantizeHandler(cx: Converter, node: OnnxNode): void {
  const x = cx.constIn(node, 0, 'x (DequantizeLinear is folded at conversion time: weights only)');
  const scale = cx.constIn(node, 1, 'scale');
  const zp = cx.has(node, 2) ? cx.constIn(node, 2, 'zero_point') : null;
  cx.set(node.outputs[0], { kind: 'const', c: dequantize(x, scale, zp, ai(node, 'axis', 1)) });
}

function constantHandler(cx: Converter, node: OnnxNode): void {
  const t = a(node, 'value');
  let c: ConstTensor;
  if (t && typeof t === 'object' && 'dims' in t) c = fromOnnx(t as OnnxTensor);
  else if (node.attrs.has('value_float')) c = { dims: [], data: Float32Array.of(af(node, 'value_float', 0)) };
  else if (node.attrs.has('value_floats')) { const f = ais(node, 'value_floats', []); c = { dims: [f.length], data: Float32Array.from(f) }; }
  else if (node.attrs.has('value_int')) c = { dims: [], data: Float32Array.of(ai(node, 'value_int', 0)) };
  else if (node.attrs.has('value_ints')) { const f = ais(node, 'value_ints', []); c = { dims: [f.length], data: Float32Array.from(f) }; }
  else throw new UnsupportedOpError('Constant', node.name, `attribute ${[...node.attrs.keys()].join(', ')}`);
  cx.set(node.outputs[0], { kind: 'const', c });
}

const identity: Handler = (cx, node) => cx.set(node.outputs[0], cx.input(node, 0));

/*
 * Shape arithmetic as exporters emit it for dynamic batch (Shape -> Slice/Gather -> Concat -> Resize/Reshape):
 * folded at conversion time, an unknown dimension (the batch) becomes -1, which Resize ignores and Reshape
 * accepts as its single inferred dimension.
 */
function shapeHandler(cx: Converter, node: OnnxNode): void {
  const s = shapeOf(cx.input(node, 0));
  const start = normAxis(ai(node, 'start', 0), s.length), end = normAxis(ai(node, 'end', s.length), s.length);
  const dims = s.slice(start, Math.min(end, s.length));
  cx.set(node.outputs[0], { kind: 'const', c: { dims: [dims.length], data: Float32Array.from(dims) } });
}

function constSliceHandler(cx: Converter, node: OnnxNode): void {
  const x = cx.constIn(node, 0, 'data (Slice is folded for constants only)');
  if (x.dims.length !== 1) throw new UnsupportedOpError('Slice', node.name, 'only 1-D constants');
  const starts = cx.constIn(node, 1, 'starts').data[0], ends = cx.constIn(node, 2, 'ends').data[0];
  const step = cx.has(node, 4) ? cx.constIn(node, 4, 'steps').data[0] : 1;
  if (step !== 1) throw new UnsupportedOpError('Slice', node.name, `step ${step}`);
  const n = x.dims[0];
  const clamp = (v: number) => Math.max(0, Math.min(n, v < 0 ? v + n : v));
  const data = x.data.slice(clamp(starts), clamp(ends));
  cx.set(node.outputs[0], { kind: 'const', c: { dims: [data.length], data } });
}

function constGatherHandler(cx: Converter, node: OnnxNode): void {
  const x = cx.constIn(node, 0, 'data (Gather is folded for constants only)');
  const idx = cx.constIn(node, 1, 'indices');
  if (x.dims.length !== 1 || ai(node, 'axis', 0) !== 0) throw new UnsupportedOpError('Gather', node.name, 'only 1-D constants');
  const data = Float32Array.from(idx.data, (i) => x.data[i < 0 ? i + x.dims[0] : i]);
  cx.set(node.outputs[0], { kind: 'const', c: { dims: idx.dims, data } });
}

function castHandler(cx: Converter, node: OnnxNode): void {
  const v = cx.input(node, 0);
  const to = ai(node, 'to', 1);
  if (v.kind === 'act' && to !== 1) throw new UnsupportedOpError('Cast', node.name, `activation cast to type ${to} (only float32 activations)`);
  cx.set(node.outputs[0], v.kind === 'const' && (to === 6 || to === 7) ? { kind: 'const', c: { dims: v.c.dims, data: v.c.data.map(Math.trunc) } } : v);
}

const HANDLERS: Record<string, Handler> = {
  Conv: convHandler,
  ConvTranspose: convTransposeHandler,
  BatchNormalization: batchNormHandler,
  Relu: unary('Relu'),
  LeakyRelu: unary('LeakyRelu', (n) => ({ alpha: attr.f(af(n, 'alpha', 0.01)) })),
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  Elu: (cx, node) => {
    if (af(node, 'alpha', 1) !== 1) throw new UnsupportedOpError('Elu', node.name, 'alpha != 1');
    unary('Elu')(cx, node);
  },
  Exp: unary('Exp'),
  Abs: unary('Abs'),
  Neg: unary('Neg'),
  Sqrt: unary('Sqrt'),
  Clip: clipHandler,
  HardSwish: hardSwishHandler,
  HardSigmoid: hardSigmoidHandler,
  Add: binaryHandler, Sub: binaryHandler, Mul: binaryHandler, Div: binaryHandler, Max: binaryHandler, Min: binaryHandler,
  Concat: concatHandler,
  MaxPool: poolHandler,
  AveragePool: poolHandler,
  GlobalAveragePool: globalPoolHandler('Mean'),
  GlobalMaxPool: globalPoolHandler('Max'),
  ReduceMean: reduceHandler('Mean'),
  ReduceMax: reduceHandler('Max'),
  ReduceMin: reduceHandler('Min'),
  ReduceSum: reduceHandler('Sum'),
  Resize: resizeHandler,
  Gemm: gemmHandler,
  MatMul: matMulHandler,
  Flatten: flattenHandler,
  Reshape: reshapeHandler,
  Transpose: transposeHandler,
  Squeeze: squeezeHandler,
  Unsqueeze: unsqueezeHandler,
  Softmax: softmaxHandler('Softmax'),
  LogSoftmax: softmaxHandler('LogSoftmax'),
  Pad: padHandler,
  DequantizeLinear: dequantizeHandler,
  Constant: constantHandler,
  Identity: identity,
  Dropout: identity,
  Shape: shapeHandler,
  Slice: constSliceHandler,
  Gather: constGatherHandler,
  Cast: castHandler,
};
