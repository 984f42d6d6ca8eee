// Section of bench/results.md: each model converted by tools/onnx2tfjs next to its ONNX original,
// steady ms/image per engine and backend, from the rows the runtime bench measured.
import type { Manifest } from '../src/core/runtime/manifest.ts';

export interface EngineRow {
  model: string;
  backend: string;
  steadyMs: number;
}

const COLUMNS: [string, (r: EngineRow) => boolean][] = [
  ['ORT-web wasm', (r) => r.backend === 'ORT-web wasm'],
  ['ORT-web webgpu', (r) => r.backend === 'ORT-web webgpu'],
  ['TFJS webgpu', (r) => r.backend === 'TFJS webgpu'],
  ['TFJS webgl', (r) => r.backend === 'TFJS webgl'],
  ['TFJS cpu', (r) => r.backend === 'TFJS cpu'],
  ['onnxruntime-node', (r) => r.backend.startsWith('onnxruntime-node')],
];

export function engineComparison(manifest: Manifest, rows: EngineRow[]): string {
  const variants = manifest.models.filter((m) => m.variantOf);
  if (!variants.length) return '';
  const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
  const lines = [
    '## ONNX Runtime vs TensorFlow.js on the same model',
    '',
    'Steady ms/image (median). TFJS runs the uint8 graph model converted by `tools/onnx2tfjs` from the int8 ONNX',
    'original (parity: `tools/onnx2tfjs/modelParity.test.ts`, `e2e/tfjsParity.spec.ts`). WebGPU is SwiftShader here.',
    '',
    `| model | ${COLUMNS.map(([c]) => c).join(' | ')} |`,
    `|---|${COLUMNS.map(() => '---:').join('|')}|`,
  ];
  for (const v of variants) {
    const ids = [v.variantOf!, v.id];
    const cells = COLUMNS.map(([, match]) => {
      const r = rows.find((x) => ids.includes(x.model) && match(x));
      return r ? fmt(r.steadyMs) : '—';
    });
    lines.push(`| ${v.variantOf} / ${v.id} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
