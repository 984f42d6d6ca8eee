import type { Tensor } from './tensor.ts';

/** Minimal shape of an ORT tensor (web and node share it): enough to convert without importing either. */
export interface OrtTensorLike {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** ORT output → engine-neutral float32 Tensor (int/bool outputs widened, as analyses decode numbers). */
export function fromOrtTensor(name: string, t: OrtTensorLike): Tensor {
  const d = t.data;
  let data: Float32Array;
  if (d instanceof Float32Array) data = d;
  else if (ArrayBuffer.isView(d) && !(d instanceof DataView)) {
    const arr = d as unknown as ArrayLike<number | bigint>;
    data = new Float32Array(arr.length);
    for (let i = 0; i < arr.length; i++) data[i] = Number(arr[i]);
  } else {
    throw new Error(`output ${name}: unsupported ORT tensor type ${t.type}`);
  }
  return { data, dims: t.dims.map(Number) };
}
