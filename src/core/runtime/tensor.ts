/** Engine-neutral tensor: what analyses hand to and get back from any engine. */
export interface Tensor {
  data: Float32Array;
  dims: number[];
}

export function tensorSize(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
