/**
 * Minimal reader for ONNX ModelProto (protobuf wire format, onnx.proto3 field numbers). Written by hand
 * instead of depending on protobufjs (only a transitive dependency here) or onnxruntime-web's internal
 * schema file: the converter needs ~20 fields, and a missing one must fail loudly, not decode silently.
 */

export type AttrValue = number | bigint | string | Uint8Array | number[] | string[] | OnnxTensor;

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** TensorProto.DataType: 1 float, 2 uint8, 3 int8, 6 int32, 7 int64, 10 float16, 11 double. */
  dataType: number;
  /** Decoded values (int64 as numbers: shapes/axes only, far below 2^53). */
  values: Float32Array | Int32Array | Uint8Array | Int8Array | Float64Array | number[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttrValue>;
}

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  /** number = fixed size, string = symbolic (e.g. "batch"), null = unknown. */
  shape: (number | string | null)[] | null;
}

export interface OnnxModel {
  opset: number;
  producer: string;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly end = buf.length) {}
  get done(): boolean {
    return this.pos >= this.end;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('ONNX protobuf: truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  }
  int(): number {
    return Number(BigInt.asIntN(64, this.varint()));
  }
  tag(): { field: number; wire: number } {
    const t = Number(this.varint());
    return { field: t >>> 3, wire: t & 7 };
  }
  bytes(): Uint8Array {
    const n = Number(this.varint());
    if (this.pos + n > this.end) throw new Error('ONNX protobuf: truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  sub(): Reader {
    const b = this.bytes();
    return new Reader(b);
  }
  string(): string {
    return new TextDecoder().decode(this.bytes());
  }
  float32(): number {
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }
  float64(): number {
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`ONNX protobuf: unsupported wire type ${wire}`);
  }
  /** Repeated scalar fields may be packed (wire 2) or not (one value per tag). */
  repeatedInts(wire: number, into: number[]): void {
    if (wire === 2) {
      const r = this.sub();
      while (!r.done) into.push(r.int());
    } else into.push(this.int());
  }
  repeatedFloats(wire: number, into: number[]): void {
    if (wire === 2) {
      const r = this.sub();
      while (!r.done) into.push(r.float32());
    } else into.push(this.float32());
  }
}

function readTensor(r: Reader): OnnxTensor {
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: Uint8Array | null = null;
  const floats: number[] = [];
  const ints: number[] = [];
  const doubles: number[] = [];
  let external = false;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) r.repeatedInts(wire, dims);
    else if (field === 2) dataType = r.int();
    else if (field === 4) r.repeatedFloats(wire, floats);
    else if (field === 5 || field === 7) r.repeatedInts(wire, ints); // int32_data / int64_data
    else if (field === 8) name = r.string();
    else if (field === 9) raw = r.bytes();
    else if (field === 10) {
      if (wire === 2) { const s = r.sub(); while (!s.done) doubles.push(s.float64()); } else doubles.push(r.float64());
    } else if (field === 13) { external = true; r.skip(wire); }
    else r.skip(wire);
  }
  if (external) throw new Error(`ONNX tensor "${name}": external data is not supported (export with the weights inside the .onnx)`);
  const n = dims.reduce((a, b) => a * b, 1);
  let values: OnnxTensor['values'];
  if (raw) {
    const copy = raw.slice(); // aligned copy
    const dv = new DataView(copy.buffer);
    switch (dataType) {
      case 1: values = new Float32Array(copy.buffer, 0, n); break;
      case 2: values = new Uint8Array(copy.buffer, 0, n); break;
      case 3: values = new Int8Array(copy.buffer, 0, n); break;
      case 6: values = new Int32Array(copy.buffer, 0, n); break;
      case 7: values = Array.from({ length: n }, (_, i) => Number(dv.getBigInt64(i * 8, true))); break;
      case 11: values = new Float64Array(copy.buffer, 0, n); break;
      case 10: values = Float32Array.from({ length: n }, (_, i) => halfToFloat(dv.getUint16(i * 2, true))); break;
      default: throw new Error(`ONNX tensor "${name}": data type ${dataType} is not supported`);
    }
  } else if (dataType === 1) values = Float32Array.from(floats);
  else if (dataType === 11) values = Float64Array.from(doubles);
  else if (dataType === 2) values = Uint8Array.from(ints);
  else if (dataType === 3) values = Int8Array.from(ints);
  else if (dataType === 6) values = Int32Array.from(ints);
  else if (dataType === 7) values = ints;
  else if (dataType === 10) values = Float32Array.from(ints, halfToFloat); // float16 bits stored in int32_data
  else throw new Error(`ONNX tensor "${name}": data type ${dataType} is not supported`);
  if (values.length !== n) throw new Error(`ONNX tensor "${name}": ${values.length} values for dims [${dims}]`);
  return { name, dims, dataType, values };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function readAttribute(r: Reader): [string, AttrValue] {
  let name = '';
  let type = 0;
  let f: number | undefined, i: number | undefined, s: Uint8Array | undefined, t: OnnxTensor | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  let hasGraph = false;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) name = r.string();
    else if (field === 2) f = r.float32();
    else if (field === 3) i = r.int();
    else if (field === 4) s = r.bytes();
    else if (field === 5) t = readTensor(r.sub());
    else if (field === 6 || field === 11) { hasGraph = true; r.skip(wire); }
    else if (field === 7) r.repeatedFloats(wire, floats);
    else if (field === 8) r.repeatedInts(wire, ints);
    else if (field === 9) strings.push(new TextDecoder().decode(r.bytes()));
    else if (field === 20) type = r.int();
    else r.skip(wire);
  }
  if (hasGraph) throw new Error(`ONNX attribute "${name}": subgraphs (If/Loop/Scan) are not supported`);
  // AttributeType: 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 6 FLOATS, 7 INTS, 8 STRINGS
  switch (type) {
    case 1: return [name, f ?? 0];
    case 2: return [name, i ?? 0];
    case 3: return [name, new TextDecoder().decode(s ?? new Uint8Array())];
    case 4: return [name, t!];
    case 6: return [name, floats];
    case 7: return [name, ints];
    case 8: return [name, strings];
    default:
      // Old exporters omit `type`: infer from what was set.
      if (t) return [name, t];
      if (s) return [name, new TextDecoder().decode(s)];
      if (f !== undefined) return [name, f];
      if (i !== undefined) return [name, i];
      if (floats.length) return [name, floats];
      return [name, ints];
  }
}

function readNode(r: Reader): OnnxNode {
  const node: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attrs: new Map() };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) node.inputs.push(r.string());
    else if (field === 2) node.outputs.push(r.string());
    else if (field === 3) node.name = r.string();
    else if (field === 4) node.opType = r.string();
    else if (field === 5) { const [k, v] = readAttribute(r.sub()); node.attrs.set(k, v); }
    else if (field === 7) node.domain = r.string();
    else r.skip(wire);
  }
  return node;
}

function readValueInfo(r: Reader): OnnxValueInfo {
  const vi: OnnxValueInfo = { name: '', elemType: 0, shape: null };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) vi.name = r.string();
    else if (field === 2) {
      const tr = r.sub();
      while (!tr.done) {
        const t = tr.tag();
        if (t.field !== 1) { tr.skip(t.wire); continue; } // tensor_type
        const tt = tr.sub();
        while (!tt.done) {
          const u = tt.tag();
          if (u.field === 1) vi.elemType = tt.int();
          else if (u.field === 2) {
            vi.shape = [];
            const sr = tt.sub();
            while (!sr.done) {
              const d = sr.tag();
              if (d.field !== 1) { sr.skip(d.wire); continue; }
              const dr = sr.sub();
              let dim: number | string | null = null;
              while (!dr.done) {
                const x = dr.tag();
                if (x.field === 1) dim = dr.int();
                else if (x.field === 2) dim = dr.string();
                else dr.skip(x.wire);
              }
              vi.shape.push(dim);
            }
          } else tt.skip(u.wire);
        }
      }
    } else r.skip(wire);
  }
  return vi;
}

/** Parses an .onnx file's bytes. */
export function parseOnnx(bytes: Uint8Array): OnnxModel {
  const model: OnnxModel = { opset: 0, producer: '', nodes: [], initializers: new Map(), inputs: [], outputs: [] };
  const r = new Reader(bytes);
  let sawGraph = false;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 2) model.producer = r.string();
    else if (field === 8) {
      const o = r.sub();
      let domain = '', version = 0;
      while (!o.done) {
        const t = o.tag();
        if (t.field === 1) domain = o.string();
        else if (t.field === 2) version = o.int();
        else o.skip(t.wire);
      }
      if (domain === '' || domain === 'ai.onnx') model.opset = version;
    } else if (field === 7) {
      sawGraph = true;
      const g = r.sub();
      while (!g.done) {
        const t = g.tag();
        if (t.field === 1) model.nodes.push(readNode(g.sub()));
        else if (t.field === 5) { const x = readTensor(g.sub()); model.initializers.set(x.name, x); }
        else if (t.field === 11) model.inputs.push(readValueInfo(g.sub()));
        else if (t.field === 12) model.outputs.push(readValueInfo(g.sub()));
        else g.skip(t.wire);
      }
    } else r.skip(wire);
  }
  if (!sawGraph) throw new Error('Not an ONNX model: no graph found');
  // Initializers may also be listed as graph inputs (IR < 4): those are not real inputs.
  model.inputs = model.inputs.filter((i) => !model.initializers.has(i.name));
  return model;
}
