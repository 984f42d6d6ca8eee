// Runs an ONNX model with onnxruntime-node (CPU EP) for the Python training tools, which have no
// onnxruntime of their own. Usage: node ort_run.mjs <spec.json>
//   spec = { model, inputs: { name: { dims, file } }, outDir, latencyRuns? }
// Inputs/outputs are raw little-endian float32 files; writes <outDir>/result.json with output dims,
// file names and (when latencyRuns > 0) the median / p90 run time in ms after one warm-up.
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const session = await ort.InferenceSession.create(spec.model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const feeds = {};
for (const [name, t] of Object.entries(spec.inputs)) {
  const buf = fs.readFileSync(t.file);
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  feeds[name] = new ort.Tensor('float32', data, t.dims);
}
const out = await session.run(feeds);
const result = { outputs: {} };
for (const [name, t] of Object.entries(out)) {
  const file = path.join(spec.outDir, `${name}.f32`);
  fs.writeFileSync(file, Buffer.from(new Float32Array(t.data).buffer));
  result.outputs[name] = { dims: t.dims.map(Number), file };
}
if (spec.latencyRuns > 0) {
  await session.run(feeds);
  const times = [];
  for (let i = 0; i < spec.latencyRuns; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  result.latencyMs = { median: times[Math.floor(times.length / 2)], p90: times[Math.floor(times.length * 0.9)],
    runs: times.length, backend: 'onnxruntime-node cpu, 1 thread' };
}
fs.writeFileSync(path.join(spec.outDir, 'result.json'), JSON.stringify(result));
await session.release();
