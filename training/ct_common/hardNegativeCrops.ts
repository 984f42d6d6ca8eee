/**
 * Hard-negative CT crops made by the APP's own code path, so training sees what the app feeds the models.
 *
 *   npx tsx training/ct_common/hardNegativeCrops.ts [2d|study] [outDir]
 *     2d    (default) each slice's own lung finder (src/core/analyses/ct/lungCrop.ts), what a single slice gets;
 *           out: /work/lunglens-runs/hard-negatives
 *     study the whole-series 3-D lungs (src/core/study/), what a DICOM series gets in the app and the CLI;
 *           out: /work/lunglens-runs/hard-negatives-study; slices.json adds `assessed` per slice
 *
 * For each real non-COVID series in ../shared/data/ct-series/ (LIDC-IDRI-0001 trains, Lung-PET-CT-Dx A0002 is
 * only the held-out check) and every slice: decode the DICOM, find the lungs and the crop box with the app's
 * finder, window with each CT model's training window, crop and resize with the app's `cropResize`, and write
 *   <series>/<file>.reg224.png   regression crop at 224 px (the Per-COVID-19 training size; training resizes to
 *                                the model size like every other training image)
 *   <series>/<file>.reg128.png   the regression model's exact 8-bit input (checks the Python resize)
 *   <series>/<file>.seg.png      segmentation crop at the crop box's own size (MedSeg crops vary in size too)
 * plus <series>/slices.json (file, slice position, found, box). Every slice is a negative: 0 % infection
 * and an empty lesion mask, bases and apices included.
 *
 * `seriesSlices` below mirrors how the CLI analyses a series (src/cli/study/seriesAnalysis.ts): when the app's
 * crop changes, rerun this script and retrain so training and app never drift.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encode } from 'fast-png';
import { gray8ForModel, lungRegionOf } from '../../src/core/analyses/ct/ctSlicePreprocess.ts';
import type { LungRegion } from '../../src/core/analyses/ct/lungCrop.ts';
import { ctAnalysis } from '../../src/core/analyses/ct/index.ts';
import { ingest } from '../../src/core/ingest/ingest.ts';
import { inputsFromPaths } from '../../src/core/ingest/nodeInputs.ts';
import { decodeSlice } from '../../src/core/series/decodeSlice.ts';
import { sliceLungRegion } from '../../src/core/study/sliceLungRegion.ts';
import { isStudySliceContext } from '../../src/core/study/studySliceFields.ts';
import type { MedicalImage } from '../../src/core/image/medicalImage.ts';
import { cropResize } from '../../src/core/imageOps/crop.ts';
import type { Rect } from '../../src/core/imageOps/raster.ts';
import { windowHuOf, type HuWindow } from '../../src/core/runtime/modelFacts.ts';
import type { ModelEntry } from '../../src/core/runtime/manifest.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const SERIES_ROOT = path.resolve(REPO, '../shared/data/ct-series');
const SERIES = ['lidc-idri-0001', 'lung-pet-ct-dx-a0002'];
const MODE = process.argv[2] === 'study' ? 'study' : '2d';
const OUT = path.resolve(process.argv[3] ?? (MODE === 'study' ? '/work/lunglens-runs/hard-negatives-study' : '/work/lunglens-runs/hard-negatives'));
// windows and sizes come from the manifest entries, as in the app
const entries = (JSON.parse(readFileSync(path.join(REPO, 'models/manifest.json'), 'utf8')) as { models: ModelEntry[] }).models;
const entry = (id: string): ModelEntry => {
  const e = entries.find((m) => m.id === id);
  if (!e) throw new Error(`models/manifest.json has no ${id}`);
  return e;
};
const REG = entry('ct-infection-regression');
const SEG = entry('ct-lesion-segmentation');
const WINDOWS = [windowHuOf(REG), windowHuOf(SEG)];

type Region = LungRegion & { assessed?: boolean };

/** Slices of one series folder in the app's order, each with the lung region the app would crop with. */
async function* seriesSlices(dir: string): AsyncGenerator<{ file: string; image: MedicalImage; region: Region }> {
  const inputs = await inputsFromPaths([dir]);
  const { series } = await ingest(inputs);
  if (series.length !== 1) throw new Error(`${dir}: expected one series, found ${series.length}`);
  const s = series[0];
  const indices = s.slices.map((_, i) => i);
  const prepared = MODE === 'study'
    ? await ctAnalysis.prepareSeries!({ headers: s.slices.map((x) => x.header), indices, load: (i) => decodeSlice(s.slices[i]) })
    : null;
  if (MODE === 'study' && !prepared) throw new Error(`${dir}: the app does not analyse this series as a whole`);
  for (const i of indices) {
    const image = await decodeSlice(s.slices[i]);
    const ctx = prepared ? ctAnalysis.sliceContext!(prepared, i) : undefined;
    const region: Region = ctx && isStudySliceContext(ctx) ? sliceLungRegion(ctx, image.pixels) : lungRegionOf(image, WINDOWS);
    yield { file: path.basename(s.slices[i].input.name), image, region };
  }
}

function writeGray(file: string, image: MedicalImage, window: HuWindow, box: Rect, w: number, h: number): void {
  const gray = gray8ForModel(image, window);
  const src = { width: image.columns, height: image.rows, channels: 1, data: Float32Array.from(gray) };
  const { raster } = cropResize(src, box, w, h);
  const px = new Uint8Array(w * h);
  for (let i = 0; i < px.length; i++) px[i] = Math.max(0, Math.min(255, Math.round(raster.data[i])));
  writeFileSync(file, encode({ width: w, height: h, data: px, channels: 1, depth: 8 }));
}

function slicePosition(image: MedicalImage): number | null {
  return image.imagePositionPatient?.[2] ?? null;
}

for (const series of SERIES) {
  const dir = path.join(SERIES_ROOT, series);
  const outDir = path.join(OUT, series);
  mkdirSync(outDir, { recursive: true });
  const rows: Record<string, unknown>[] = [];
  for await (const { file, image, region } of seriesSlices(dir)) {
    const stem = path.join(outDir, file.replace(/\.dcm$/, ''));
    const b = region.box;
    writeGray(`${stem}.reg224.png`, image, windowHuOf(REG), b, 224, 224);
    writeGray(`${stem}.reg128.png`, image, windowHuOf(REG), b, REG.input.width, REG.input.height);
    writeGray(`${stem}.seg.png`, image, windowHuOf(SEG), b, b.w, b.h);
    rows.push({ file, z: slicePosition(image), found: region.found, assessed: region.assessed ?? region.found, lungAreaPx: region.areaPx, box: [b.x, b.y, b.w, b.h] });
  }
  const crop = MODE === 'study' ? 'src/core/study sliceLungRegion (3-D, whole series)' : 'src/core/analyses/ct lungRegionOf (2-D)';
  writeFileSync(path.join(outDir, 'slices.json'), JSON.stringify({ series, crop, slices: rows }, null, 1) + '\n');
  console.log(`${series}: ${rows.length} slices -> ${outDir}`);
}
