/**
 * Card images: the TypeScript CT path (lung finder -> crop -> both models) on the real chest CT DICOMs.
 * Run from the repo root after exporting the models:  npx tsx training/ct_segmentation/card_images.ts
 * Writes models/ct-lesion-segmentation/card-images/<name>.png (slice with lung mask red, lesion yellow, crop box
 * green | the 192 px crop the segmentation model sees) and crops.json with the numbers the CLI reports.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encode } from 'fast-png';
import { ctAnalysis } from '../../src/core/analyses/ct/index.ts';
import { ctModelInput, gray8ForModel, lungRegionOf } from '../../src/core/analyses/ct/ctSlicePreprocess.ts';
import { decodeDicomFile } from '../../src/core/dicom/decodeDicom.ts';
import { resizeBilinear } from '../../src/core/imageOps/resizeBilinear.ts';
import { windowHuOf } from '../../src/core/runtime/modelFacts.ts';
import { createNodeAnalysisContext } from '../../src/core/runtime/nodeContext.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const DATA = path.resolve(REPO, '../shared/data/dicom-samples');
const OUT = process.argv[2] ? path.resolve(process.argv[2]) : path.join(REPO, 'models', 'ct-lesion-segmentation', 'card-images');
const FILES = [
  'covid19-ny-sbu-ct/A002304_axial_19001231-076.dcm',
  'covid19-ny-sbu-ct/A002304_axial_19010112-135.dcm',
  'covid19-ny-sbu-ct/A056642_axial_19001229-053.dcm',
  'covid19-ny-sbu-ct/A056642_axial_19010107-111.dcm',
  'ct-chest-transfer-syntaxes/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm',
];
const SIDE = 256;

mkdirSync(OUT, { recursive: true });
const ctx = await createNodeAnalysisContext(path.join(REPO, 'models'), { threads: 1 });
// input facts come from the manifest entries, as in the app
const seg = (await ctx.getSession('ct-lesion-segmentation')).entry;
const windows = [windowHuOf((await ctx.getSession('ct-infection-regression')).entry), windowHuOf(seg)];
const notes: Record<string, unknown>[] = [];
for (const rel of FILES) {
  const [image] = await decodeDicomFile(new Uint8Array(readFileSync(path.join(DATA, rel))), path.basename(rel));
  const { record, masks } = await ctAnalysis.analyze(image, ctx);
  const lung = lungRegionOf(image, windows);
  const gray = gray8ForModel(image, windowHuOf(seg));
  const w = image.columns, h = image.rows, n = w * h;
  const rgb = new Float32Array(n * 3);
  const b = lung.box;
  for (let i = 0; i < n; i++) {
    let r = gray[i], g = gray[i], bl = gray[i];
    if (masks.lung?.data[i]) r = Math.min(255, r + 70);
    if (masks.lesion?.data[i]) { r = 255; g = Math.min(255, g + 120); bl = bl * 0.4; }
    const x = i % w, y = (i - x) / w;
    const edge = lung.found && (((x === b.x || x === b.x + b.w - 1) && y >= b.y && y < b.y + b.h) ||
      ((y === b.y || y === b.y + b.h - 1) && x >= b.x && x < b.x + b.w));
    if (edge) { r = 0; g = 255; bl = 0; }
    rgb[3 * i] = r; rgb[3 * i + 1] = g; rgb[3 * i + 2] = bl;
  }
  const left = resizeBilinear({ width: w, height: h, channels: 3, data: rgb }, SIDE, SIDE);
  const { tensor } = ctModelInput(image, seg, lung.box);
  const s = seg.input.width;
  const crop = new Float32Array(s * s * 3);
  for (let i = 0; i < s * s; i++) {
    const v = (tensor.data[i] * 0.25 + 0.5) * 255;
    crop[3 * i] = crop[3 * i + 1] = crop[3 * i + 2] = v;
  }
  const right = resizeBilinear({ width: s, height: s, channels: 3, data: crop }, SIDE, SIDE);
  const out = new Uint8Array(SIDE * 2 * SIDE * 3);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      for (let k = 0; k < 3; k++) {
        out[(y * 2 * SIDE + x) * 3 + k] = Math.round(left.data[(y * SIDE + x) * 3 + k]);
        out[(y * 2 * SIDE + SIDE + x) * 3 + k] = Math.round(right.data[(y * SIDE + x) * 3 + k]);
      }
    }
  }
  const name = path.basename(rel).split('_1.2.840')[0].replace(/\.dcm$/, '') + '.png';
  writeFileSync(path.join(OUT, name), encode({ width: 2 * SIDE, height: SIDE, data: out, channels: 3, depth: 8 }));
  notes.push({ file: rel, found: lung.found, box: [b.x, b.y, b.w, b.h].join(','), lungAreaPx: record.lungAreaPx,
    infectionPercent: record.infectionPercent, lesionPercentOfLung: record.lesionPercentOfLung, image: name });
  console.log(name, JSON.stringify(notes[notes.length - 1]));
}
writeFileSync(path.join(OUT, 'crops.json'), JSON.stringify(notes, null, 1) + '\n');
await ctx.release();
