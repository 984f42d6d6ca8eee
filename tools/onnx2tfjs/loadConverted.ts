/** Loads converter output straight into TFJS (tests, scripts): no files written. */
import * as tf from '@tensorflow/tfjs';
import type { GraphModelFiles } from './graphModelFiles.ts';

export async function loadConverted(files: GraphModelFiles): Promise<tf.GraphModel> {
  const total = files.shards.reduce((a, s) => a + s.bytes.byteLength, 0);
  const w = new Uint8Array(total);
  let o = 0;
  for (const s of files.shards) { w.set(s.bytes, o); o += s.bytes.byteLength; }
  return tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: files.modelJson.modelTopology as never,
    weightSpecs: files.modelJson.weightsManifest.flatMap((g) => g.weights) as never,
    weightData: w.buffer,
  }));
}
