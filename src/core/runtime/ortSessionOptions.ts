/**
 * Session options both ONNX Runtime hosts use (onnxruntime-web in the browser, onnxruntime-node in the CLI), so
 * the two run the same optimised graph and the bench compares like with like.
 *
 * `session.disable_quant_qdq`: the bundled models are int8 weight-only (DequantizeLinear on constant
 * initializers, float activations). With QDQ handling off, ONNX Runtime's constant folding turns each
 * DequantizeLinear of a constant into a float32 weight once, at session creation, instead of on every run;
 * the arithmetic is the same (int8 × scale), so outputs stay within the parity tests' tolerances
 * (tools/onnx2tfjs/modelParity.test.ts, src/core/analyses/*Parity.test.ts). Measured in bench/results.md.
 *
 * `session.intra_op.allow_spinning` off: between runs, ONNX Runtime's pool threads would otherwise spin-wait for
 * work, taking the cores the analysis' own JavaScript (pre/post-processing, decoding) needs on a small machine.
 */
export const ORT_SESSION_CONFIG = { session: { disable_quant_qdq: '1', intra_op: { allow_spinning: '0' } } } as const;
