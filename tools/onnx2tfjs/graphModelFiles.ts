/** A converted graph → the files of a TFJS graph model: model.json + binary weight shards. */
import type { ConvertedGraph } from './convert.ts';
import { quantizeUint8 } from './uint8Quantization.ts';

export interface GraphModelOptions {
  /** 'uint8': affine per-tensor weight quantization (tfjs-converter --quantize_uint8). */
  quantize?: 'uint8' | null;
  /**
   * Float weights with fewer elements stay float32 (biases, folded BN shifts: a few hundred bytes in
   * total, but their errors would add directly to every output). Default 256.
   */
  quantizeMinElements?: number;
  /** Shard size like tfjs-converter's default (4 MB). */
  shardBytes?: number;
  /** Recorded in model.json `userDefinedMetadata`. */
  metadata?: Record<string, unknown>;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'uint8'; min: number; scale: number; original_dtype: 'float32' };
}

export interface GraphModelJson {
  format: 'graph-model';
  generatedBy: string;
  convertedBy: string;
  modelTopology: { node: unknown[]; library: Record<string, never>; versions: { producer: number } };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  userDefinedMetadata?: Record<string, unknown>;
}

export interface GraphModelFiles {
  modelJson: GraphModelJson;
  shards: { name: string; bytes: Uint8Array }[];
}

export function graphModelFiles(conv: ConvertedGraph, opts: GraphModelOptions = {}): GraphModelFiles {
  const minElements = opts.quantizeMinElements ?? 256;
  const shardBytes = opts.shardBytes ?? 4 * 1024 * 1024;
  const specs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  for (const w of conv.graph.weights) {
    const spec: WeightSpec = { name: w.name, shape: w.shape, dtype: w.dtype };
    if (opts.quantize === 'uint8' && w.dtype === 'float32' && w.data.length >= minElements) {
      const q = quantizeUint8(w.data as Float32Array);
      spec.quantization = { dtype: 'uint8', min: q.min, scale: q.scale, original_dtype: 'float32' };
      chunks.push(q.bytes);
    } else {
      chunks.push(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength).slice());
    }
    specs.push(spec);
  }
  const total = chunks.reduce((a, c) => a + c.byteLength, 0);
  const all = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) { all.set(c, o); o += c.byteLength; }
  const n = Math.max(1, Math.ceil(total / shardBytes));
  const shards = Array.from({ length: n }, (_, i) => ({
    name: `group1-shard${i + 1}of${n}.bin`,
    bytes: all.slice(i * shardBytes, Math.min(total, (i + 1) * shardBytes)),
  }));
  return {
    modelJson: {
      format: 'graph-model',
      generatedBy: 'onnx',
      convertedBy: 'LungLens tools/onnx2tfjs',
      modelTopology: { node: conv.graph.nodes, library: {}, versions: { producer: 1 } },
      weightsManifest: [{ paths: shards.map((s) => s.name), weights: specs }],
      ...(opts.metadata ? { userDefinedMetadata: opts.metadata } : {}),
    },
    shards,
  };
}
