/**
 * Builds a TF GraphDef in the JSON form tfjs-converter writes into a graph model's `modelTopology`
 * (node list with base64 strings and stringified int64s), plus the Const weights that go into the
 * weight manifest. Only what tf.loadGraphModel reads is emitted.
 */

export type TfAttr =
  | { type: 'DT_FLOAT' | 'DT_INT32' }
  | { i: string }
  | { f: number }
  | { b: boolean }
  | { s: string }
  | { list: { i?: string[]; s?: string[]; f?: number[] } }
  | { shape: { dim: { size: string }[] } }
  | { tensor: { dtype: 'DT_FLOAT' | 'DT_INT32'; tensorShape: { dim?: { size: string }[] } } };

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

export interface TfWeight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export const attr = {
  float: { type: 'DT_FLOAT' } as TfAttr,
  ints: (xs: readonly number[]): TfAttr => ({ list: { i: xs.map(String) } }),
  int: (x: number): TfAttr => ({ i: String(x) }),
  f: (x: number): TfAttr => ({ f: x }),
  b: (x: boolean): TfAttr => ({ b: x }),
  str: (s: string): TfAttr => ({ s: b64(s) }),
  strs: (xs: readonly string[]): TfAttr => ({ list: { s: xs.map(b64) } }),
};

export class TfGraph {
  readonly nodes: TfNode[] = [];
  readonly weights: TfWeight[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  /** Names the ONNX graph's inputs/outputs own: generated names never take them. */
  reserve(name: string): void {
    this.used.add(name);
  }

  private fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40) || 'n';
    let name: string;
    do name = `t${this.counter++}_${base}`; while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  placeholder(name: string, shape: readonly number[]): string {
    this.nodes.push({
      name, op: 'Placeholder',
      attr: { dtype: attr.float, shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } } },
    });
    return name;
  }

  constant(hint: string, data: Float32Array | Int32Array, shape: readonly number[]): string {
    const name = this.fresh(hint);
    const dtype = data instanceof Int32Array ? 'DT_INT32' : 'DT_FLOAT';
    this.nodes.push({
      name, op: 'Const',
      attr: {
        dtype: { type: dtype },
        value: { tensor: { dtype, tensorShape: shape.length ? { dim: shape.map((d) => ({ size: String(d) })) } : {} } },
      },
    });
    this.weights.push({ name, shape: [...shape], dtype: data instanceof Int32Array ? 'int32' : 'float32', data });
    return name;
  }

  int32(hint: string, values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.constant(hint, Int32Array.from(values), shape);
  }

  /** Adds an op node; `name` forces the node name (graph outputs), otherwise one is generated from `hint`. */
  op(op: string, inputs: string[], attrs: Record<string, TfAttr> = {}, hint = op, name?: string): string {
    const n = name ?? this.fresh(hint);
    if (name) this.used.add(name);
    this.nodes.push({ name: n, op, input: inputs, attr: { T: attr.float, ...attrs } });
    return n;
  }
}
