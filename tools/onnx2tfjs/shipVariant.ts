// npx tsx tools/onnx2tfjs/shipVariant.ts <onnx-model-id> [...more ids]
// Converts a bundled ONNX model (models/manifest.json entry) to a uint8-weight TFJS graph model in
// models/<id>-tfjs/ and writes/updates the manifest entry "<id>-tfjs" (format tfjs, variantOf <id>,
// same input/outputs/labels/extra) right after its original. Only "-tfjs" entries are touched
// (read-modify-write: other engineers edit the same manifest).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onnxToTfjs } from './onnxToTfjs.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const modelsDir = path.join(repo, 'models');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Entry {
  id: string;
  format: string;
  files: { path: string; sha256: string; bytes: number; role: string }[];
  card: string;
  name: string;
  [k: string]: unknown;
}

function ship(onnxId: string): void {
  const manifestPath = path.join(modelsDir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { models: Entry[] };
  const src = manifest.models.find((m) => m.id === onnxId && m.format === 'onnx');
  if (!src) throw new Error(`no ONNX model "${onnxId}" in models/manifest.json`);
  const modelFile = src.files.find((f) => f.role === 'model')!;
  const onnxBytes = new Uint8Array(readFileSync(path.join(modelsDir, modelFile.path)));
  if (sha256(onnxBytes) !== modelFile.sha256) throw new Error(`${modelFile.path} does not match its manifest SHA-256`);

  const id = `${onnxId}-tfjs`;
  const dir = path.join(modelsDir, id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The source hash lets the parity test notice a variant left behind by a re-exported original.
  const { files, converted } = onnxToTfjs(onnxBytes, { quantize: 'uint8', source: `${modelFile.path} sha256:${modelFile.sha256}` });
  const written: Entry['files'] = [];
  const put = (name: string, bytes: Uint8Array, role: string) => {
    writeFileSync(path.join(dir, name), bytes);
    written.push({ path: `${id}/${name}`, sha256: sha256(bytes), bytes: bytes.byteLength, role });
  };
  put('model.json', new TextEncoder().encode(JSON.stringify(files.modelJson)), 'model');
  for (const s of files.shards) put(s.name, s.bytes, 'weights');
  const weightBytes = files.shards.reduce((a, s) => a + s.bytes.byteLength, 0);
  writeFileSync(path.join(dir, 'CARD.md'), [
    `# ${src.name} — TensorFlow.js variant`,
    '',
    `Converted from \`${modelFile.path}\` (sha256 \`${modelFile.sha256.slice(0, 16)}…\`) by \`tools/onnx2tfjs\``,
    `(\`npx tsx tools/onnx2tfjs/shipVariant.ts ${onnxId}\`). Same training, data, metrics, limits and intended use`,
    `as the original: see [its card](../${src.card}). **Research use only, not a medical device.**`,
    '',
    `- Format: TFJS graph model, ${converted.graph.nodes.length} nodes; weights uint8 affine per tensor`,
    `  (tfjs-converter \`--quantize_uint8\` convention; tensors under 256 values stay float32), ${weightBytes} bytes.`,
    '  The ONNX int8 per-channel weights are dequantized at conversion, then re-quantized per tensor.',
    `- Layout: input and outputs keep the ONNX layout (${converted.inputs.map((i) => `${i.name} [${i.shape}]`).join(', ')} →`,
    `  ${converted.outputs.map((o) => `${o.name} [${o.shape}]`).join(', ')}); NHWC transposes are inside the graph.`,
    `- ONNX ops converted: ${Object.entries(converted.ops).map(([k, v]) => `${k}×${v}`).join(', ')}.`,
    '- Parity with the ONNX original on real images: `tools/onnx2tfjs/modelParity.test.ts` (Node, TFJS cpu vs',
    '  onnxruntime-node) and `e2e/tfjsParity.spec.ts` (browser, TFJS webgpu/cpu vs ORT WASM); tolerances are stated there.',
    '',
  ].join('\n'));

  const { id: _id, files: _f, format: _fmt, card: _c, name, quantization: _q, variantOf: _v, ...same } = src as Entry & { quantization?: string; variantOf?: string };
  const entry = {
    id, name: `${name} (TensorFlow.js)`, ...same, format: 'tfjs', card: `${id}/CARD.md`,
    quantization: 'uint8-weights', variantOf: onnxId, files: written,
  };
  // Fresh read right before writing: keep everyone else's edits.
  const latest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { models: Entry[] };
  const without = latest.models.filter((m) => m.id !== id);
  const at = without.findIndex((m) => m.id === onnxId);
  without.splice(at + 1, 0, entry as unknown as Entry);
  latest.models = without;
  writeFileSync(manifestPath, JSON.stringify(latest, null, 2) + '\n');
  console.log(`shipped ${id}: ${readdirSync(dir).join(', ')}; weights ${weightBytes} bytes (ONNX ${modelFile.bytes})`);
}

const ids = process.argv.slice(2);
if (!ids.length) {
  console.error('usage: npx tsx tools/onnx2tfjs/shipVariant.ts <onnx-model-id> [...]');
  process.exit(2);
}
for (const id of ids) ship(id);
