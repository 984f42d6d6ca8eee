/** Engine-neutral tensor: what analyses hand to and get back from any engine. */
export interface Tensor {
  data: Float32Array;
  dims: number[];
}
