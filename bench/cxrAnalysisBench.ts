// CXR analysis end to end in Node (the CLI path): file decode -> 8-bit -> area resize -> 4 int8 ONNX models on
// onnxruntime-node (1 thread) -> decode, NMS, WBF, masks at input size. Three input sizes: a 256-px hold-out
// PNG, the 440-px MONOCHROME1 CR and the 1024-px DX DICOM. Writes bench/cxr-results.md (part of `npm run bench`).
//   npx tsx bench/cxrAnalysisBench.ts
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cxrAnalysis } from '../src/core/analyses/cxr/index.ts';
import type { MedicalImage } from '../src/core/image/medicalImage.ts';
import { loadImages } from '../src/core/ingest/loadImages.ts';
import { createNodeAnalysisContext } from '../src/core/runtime/nodeContext.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = path.resolve(repo, '../shared/data');
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const inputs = [
  'covid-qu-ex/Train/COVID-19/images/covid_1039.png',
  'dicom-samples/cr-dx-chest/gdcm-CR-MONO1-10-chest.dcm',
  'dicom-samples/cr-dx-chest/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm',
];

const ctx = await createNodeAnalysisContext(path.join(repo, 'models'), { threads: 1 });
const rows = ['| input | size | decode ms | analysis ms (median / p90, ' + RUNS + ' runs after 1 warm-up) |', '|---|---|---|---|'];
for (const rel of inputs) {
  const t0 = performance.now();
  let image: MedicalImage | undefined;
  for await (const first of loadImages(new Uint8Array(readFileSync(path.join(data, rel))), path.basename(rel))) {
    image = first;
    break;
  }
  if (!image) throw new Error(`${rel}: no image`);
  const decodeMs = performance.now() - t0;
  await cxrAnalysis.analyze(image, ctx); // warm-up: session creation
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await cxrAnalysis.analyze(image, ctx);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  rows.push(`| ${path.basename(rel).slice(0, 32)} | ${image.columns}x${image.rows} | ${decodeMs.toFixed(0)} | ` +
    `${times[Math.floor(times.length / 2)].toFixed(0)} / ${times[Math.floor(times.length * 0.9)].toFixed(0)} |`);
}
await ctx.release();
const text = `# CXR analysis (Node CLI path)\n\n${new Date().toISOString()}, ${os.cpus().length} shared cores, ` +
  `1-min load average ${os.loadavg()[0].toFixed(1)} at the start (well above 0 means other jobs shared the cores: ` +
  `indicative only). Issue 11's budget: the CXR set <= 150 ms per image.\n\n${rows.join('\n')}\n`;
writeFileSync(path.join(repo, 'bench/cxr-results.md'), text);
process.stdout.write(text);
