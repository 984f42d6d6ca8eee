/** The converter's API: ONNX bytes → TFJS graph model files. */
import { convertOnnxGraph, type ConvertedGraph } from './convert.ts';
import { graphModelFiles, type GraphModelFiles, type GraphModelOptions } from './graphModelFiles.ts';
import { parseOnnx } from './onnxProto.ts';

export interface OnnxToTfjsOptions extends Omit<GraphModelOptions, 'metadata'> {
  /** File name of the ONNX original, recorded in the metadata. */
  source?: string;
}

export function onnxToTfjs(onnxBytes: Uint8Array, opts: OnnxToTfjsOptions = {}): { files: GraphModelFiles; converted: ConvertedGraph } {
  const model = parseOnnx(onnxBytes);
  const converted = convertOnnxGraph(model);
  const files = graphModelFiles(converted, {
    ...opts,
    metadata: {
      onnx2tfjs: {
        source: opts.source ?? null,
        opset: model.opset,
        // External layout = the ONNX one: NHWC transposes happen inside the graph.
        inputs: converted.inputs,
        outputs: converted.outputs,
        quantization: opts.quantize ?? 'none',
      },
    },
  });
  return { files, converted };
}
