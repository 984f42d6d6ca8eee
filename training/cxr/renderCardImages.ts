/**
 * Card images: the CXR preprocessing and the four models on the real DICOM radiographs (two staged) in
 * ../shared/data/dicom-samples/cr-dx-chest/ (MONOCHROME1 CR 10-bit 440^2, DX 1024^2; the NEMA RG1 J2K CR is not staged).
 * For each file writes models/cxr-classification/card-images/<name>.input.png (the 8-bit 128x128 model
 * input, as the TS path makes it) and <name>.result.png (128x128: lung mask blue, infection red,
 * ensemble boxes >= 0.3 yellow) and results.md (the analysis per file, without masks).
 *   npx tsx training/cxr/renderCardImages.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encode as encodePng } from 'fast-png';
import { inputsFromPaths } from '../../src/core/ingest/nodeInputs.ts';
import { ingest } from '../../src/core/ingest/ingest.ts';
import { decodeSlice } from '../../src/core/series/decodeSlice.ts';
import { cxrGray8 } from '../../src/core/analyses/cxr/cxrPreprocess.ts';
import { CXR_MODELS, decodeCxrOutputs, runCxrModels, type CxrRawOutputs } from '../../src/core/analyses/cxr/cxrAnalysis.ts';
import { modelInput } from '../../src/core/imageOps/modelInput.ts';
import { stretchPlacement } from '../../src/core/imageOps/placement.ts';
import { createNodeAnalysisContext } from '../../src/core/runtime/nodeContext.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const samples = path.resolve(repo, '../shared/data/dicom-samples/cr-dx-chest');
const outDir = process.argv[2] ? path.resolve(process.argv[2]) : path.join(repo, 'models', 'cxr-classification', 'card-images');

const ctx = await createNodeAnalysisContext(path.join(repo, 'models'), { threads: 1 });
// the segmentation model's input spec (from its manifest entry) is the grid of the overlay image
const segInput = (await ctx.getSession(CXR_MODELS.segmentation)).entry.input;
const size = segInput.width;
mkdirSync(outDir, { recursive: true });
const { series, errors } = await ingest(await inputsFromPaths([samples]));
for (const e of errors) console.error('ingest error', e);
const table = ['| file | DICOM | size | class (p) | infection % of lung | boxes A / B / ensemble (>= 0.3) |', '|---|---|---|---|---|---|'];
for (const s of series) {
  for (const slice of s.slices) {
    const image = await decodeSlice(slice);
    const gray = cxrGray8(image);
    const input = modelInput(gray, segInput);
    const raw = await runCxrModels(gray, ctx);
    const full = decodeCxrOutputs(raw);
    // the same outputs on the model grid, for a model-size overlay
    const grid = stretchPlacement(size, size, size, size);
    const small = decodeCxrOutputs(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, { ...v, placement: grid }])) as CxrRawOutputs);
    const base = path.basename(slice.input.name).replace(/\.dcm$/, '').slice(0, 40);
    const g8 = Uint8Array.from(input.raster.data, (v) => Math.round(v));
    writeFileSync(path.join(outDir, `${base}.input.png`), encodePng({ width: size, height: size, data: g8, channels: 1, depth: 8 }));
    const rgb = new Uint8Array(size * size * 3);
    for (let i = 0; i < size * size; i++) {
      const v = g8[i];
      const lung = small.masks.lung.data[i], inf = small.masks.lesion.data[i];
      rgb[3 * i] = inf ? Math.min(255, v * 0.5 + 128) : v * (lung ? 0.8 : 1);
      rgb[3 * i + 1] = inf ? v * 0.5 : v * (lung ? 0.8 : 1);
      rgb[3 * i + 2] = lung && !inf ? Math.min(255, v * 0.8 + 60) : inf ? v * 0.5 : v;
    }
    for (const b of small.detections.ensemble) drawBox(rgb, b.x, b.y, b.w, b.h);
    writeFileSync(path.join(outDir, `${base}.result.png`), encodePng({ width: size, height: size, data: rgb, channels: 3, depth: 8 }));
    const p = full.classification.probabilities[full.classification.label];
    table.push(`| ${base} | ${image.modality} ${image.photometric} ${image.bitsStored}-bit | ${image.columns}x${image.rows} | ` +
      `${full.classification.label} (${p.toFixed(2)}) | ${full.infectionPercentOfLung.toFixed(1)} | ` +
      `${full.detections.A.length} / ${full.detections.B.length} / ${full.detections.ensemble.length} |`);
    console.log(JSON.stringify({
      file: path.basename(slice.input.name), modality: image.modality, photometric: image.photometric,
      bitsStored: image.bitsStored, size: [image.columns, image.rows],
      classification: full.classification, infectionPercentOfLung: full.infectionPercentOfLung, detections: full.detections,
    }));
  }
}

writeFileSync(path.join(outDir, 'results.md'), table.join('\n') + '\n');
await ctx.release();

function drawBox(rgb: Uint8Array, x: number, y: number, w: number, h: number): void {
  const x0 = Math.max(0, Math.round(x)), y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(size - 1, Math.round(x + w)), y1 = Math.min(size - 1, Math.round(y + h));
  const put = (px: number, py: number) => { const o = 3 * (py * size + px); rgb[o] = 255; rgb[o + 1] = 230; rgb[o + 2] = 0; };
  for (let px = x0; px <= x1; px++) { put(px, y0); put(px, y1); }
  for (let py = y0; py <= y1; py++) { put(x0, py); put(x1, py); }
}
