// CLI: npx tsx tools/onnx2tfjs/main.ts <model.onnx> <outDir> [--quantize uint8] [--quantize-min-elements N]
// Writes <outDir>/model.json + group1-shard*.bin (a TFJS graph model, same input/output names and
// layouts as the ONNX model) and prints the op counts and sizes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { onnxToTfjs } from './onnxToTfjs.ts';

function usage(msg?: string): never {
  if (msg) console.error(`onnx2tfjs: ${msg}`);
  console.error('usage: npx tsx tools/onnx2tfjs/main.ts <model.onnx> <outDir> [--quantize uint8] [--quantize-min-elements N]');
  process.exit(2);
}

const args = process.argv.slice(2);
const positional: string[] = [];
let quantize: 'uint8' | null = null;
let minElements: number | undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--quantize') {
    if (args[++i] !== 'uint8') usage(`--quantize supports only uint8, got ${args[i]}`);
    quantize = 'uint8';
  } else if (args[i] === '--quantize-min-elements') {
    minElements = Number(args[++i]);
    if (!Number.isInteger(minElements) || minElements < 0) usage('--quantize-min-elements needs a non-negative integer');
  } else if (args[i].startsWith('--')) usage(`unknown option ${args[i]}`);
  else positional.push(args[i]);
}
if (positional.length !== 2) usage();
const [src, outDir] = positional;

try {
  const { files, converted } = onnxToTfjs(new Uint8Array(readFileSync(src)), { quantize, quantizeMinElements: minElements, source: path.basename(src) });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'model.json'), JSON.stringify(files.modelJson));
  for (const s of files.shards) writeFileSync(path.join(outDir, s.name), s.bytes);
  const bytes = files.shards.reduce((a, s) => a + s.bytes.byteLength, 0);
  console.log(`onnx2tfjs: ${src} -> ${outDir}`);
  console.log(`  ONNX ops: ${Object.entries(converted.ops).map(([k, v]) => `${k}x${v}`).join(', ')}`);
  console.log(`  TF nodes: ${converted.graph.nodes.length}, weights ${files.modelJson.weightsManifest[0].weights.length} tensors, ${bytes} bytes${quantize ? ' (uint8)' : ''}`);
  console.log(`  inputs: ${converted.inputs.map((i) => `${i.name} [${i.shape}]`).join(', ')}; outputs: ${converted.outputs.map((o) => `${o.name} [${o.shape}]`).join(', ')}`);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
