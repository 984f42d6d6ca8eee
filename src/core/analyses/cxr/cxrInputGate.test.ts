import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode as encodePng } from 'fast-png';
import type { MedicalImage } from '../../image/medicalImage.ts';
import { seededRandom } from '../../dicom/testing/fuzzCorpus.ts';
import { loadImages } from '../../ingest/loadImages.ts';
import { findModel, parseManifest } from '../../runtime/manifest.ts';
import { createNodeAnalysisContext, type NodeAnalysisContext } from '../../runtime/nodeContext.ts';
import type { AnalysisContext } from '../analysisModule.ts';
import { slicesCsv } from '../../report/csv.ts';
import { CXR_GATE_MODEL, cxrInputGate, neighbourCorrelation, spread } from './cxrInputGate.ts';
import { modelInput } from '../../imageOps/modelInput.ts';
import { cxrGray8 } from './cxrPreprocess.ts';
import { BUNDLED_CLASS_LABELS, cxrAnalysis } from './index.ts';
import { isCxrAssessed, type CxrRecord } from './cxrRecord.ts';

/*
 * The CXR input gate (issue 11) on images made here (blank, noise, 16-bit garbage: never committed), on real
 * CT images given as radiographs (../shared/data), and on real radiographs that must pass: COVID-QU-Ex images
 * of the gate's measurement fold and the CR/DX DICOM samples. The gate's scores on the real files are also
 * checked against the training pipeline's (training/cxr_gate/train.py writes __fixtures__/cxr-input-gate.torch.json:
 * the same TS preprocessing, scored by the int8 ONNX there): tolerance 1e-4 relative (same file, same runtime).
 */
const repoRoot = path.resolve(__dirname, '../../../..');
const dataRoot = path.resolve(repoRoot, '../shared/data');
const modelsDir = path.join(repoRoot, 'models');
const manifest = parseManifest(JSON.parse(readFileSync(path.join(modelsDir, 'manifest.json'), 'utf8')));
const gateEntry = manifest.models.find((m) => m.id === CXR_GATE_MODEL);
const haveGate = !!gateEntry && existsSync(path.join(modelsDir, gateEntry.files[0].path));

interface FixtureCase {
  file: string; frame: number; group: string; std: number; neighbourCorrelation: number; int8: number[]; torch: number[]; expect: 'pass' | 'reject';
}
const fixturePath = path.join(__dirname, '__fixtures__', `${CXR_GATE_MODEL}.torch.json`);
const fixture = existsSync(fixturePath) ? (JSON.parse(readFileSync(fixturePath, 'utf8')) as { cases: FixtureCase[] }) : null;

async function imageOf(bytes: Uint8Array, name: string, frame = 0): Promise<MedicalImage> {
  let k = 0;
  for await (const image of loadImages(bytes, name)) if (k++ === frame) return image;
  throw new Error(`${name}: no frame ${frame}`);
}
const fileImage = (rel: string, frame = 0) => imageOf(new Uint8Array(readFileSync(path.join(dataRoot, rel))), rel, frame);

/** A grey PNG made here, as a user's file would arrive (8- or 16-bit). */
function pngOf(width: number, height: number, value: (i: number) => number, depth: 8 | 16 = 8): Uint8Array {
  const data = depth === 8 ? new Uint8Array(width * height) : new Uint16Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = value(i);
  return encodePng({ width, height, data, channels: 1, depth });
}

/** The context, recording which models an analysis asked for. */
function recording(ctx: AnalysisContext): { ctx: AnalysisContext; asked: string[] } {
  const asked: string[] = [];
  return { asked, ctx: { getSession: (id) => { asked.push(id); return ctx.getSession(id); } } };
}

function expectRefused(record: CxrRecord, masks: object, asked: string[], what: string): void {
  expect(record.assessed, what).toBe(false);
  if (isCxrAssessed(record)) return;
  expect(record.reason, what).toMatch(/^not a chest radiograph: /);
  for (const key of ['classification', 'detections', 'infectionPercentOfLung']) expect(record, what).not.toHaveProperty(key);
  expect(masks, what).toEqual({});
  expect(record.models.map((m) => m.id)).toEqual([CXR_GATE_MODEL]);
  // the four CXR models never ran
  expect(asked, what).toEqual([CXR_GATE_MODEL]);
}

describe.skipIf(!haveGate)('CXR input gate: not a chest radiograph -> not assessed, with the reason', () => {
  let node: NodeAnalysisContext;
  beforeAll(async () => { node = await createNodeAnalysisContext(modelsDir, { threads: 1 }); });
  afterAll(async () => { await node?.release(); });

  async function analyse(image: MedicalImage) {
    const r = recording(node);
    const { record, masks } = await cxrAnalysis.analyze(image, r.ctx);
    return { record, masks, asked: r.asked };
  }

  it('refuses made-up images: blank, uniform noise (8-bit) and 16-bit garbage', async () => {
    // seeded: the made-up images are the same on every run
    const random = seededRandom(11);
    const cases: [string, Uint8Array][] = [
      ['blank black 512', pngOf(512, 512, () => 0)],
      ['blank grey 300x200', pngOf(300, 200, () => 128)],
      ['uniform noise 8-bit 256', pngOf(256, 256, () => Math.floor(random() * 256))],
      ['uniform noise 8-bit 1024', pngOf(1024, 1024, () => Math.floor(random() * 256))],
      ['16-bit garbage', pngOf(512, 512, () => Math.floor(random() * 65536), 16)],
      ['16-bit sparse garbage', pngOf(512, 512, () => (random() < 0.05 ? Math.floor(random() * 4096) : 0), 16)],
    ];
    for (const [what, bytes] of cases) {
      const { record, masks, asked } = await analyse(await imageOf(bytes, `${what}.png`));
      expectRefused(record, masks, asked, what);
    }
    // a blank image is named as such, by the check that needs no model
    const blank = (await analyse(await imageOf(cases[0][1], 'blank.png'))).record;
    expect(!isCxrAssessed(blank) && blank.inputGate.check).toBe('grey-level spread');
    expect(!isCxrAssessed(blank) && blank.reason).toMatch(/blank or near-uniform/);
  });

  it('refuses CT given as a radiograph: DICOM by its Modality, a CT slice saved as PNG by its pixels', async () => {
    const dicom: [string, number][] = [
      ['dicom-samples/multiframe-encapsulated/CT0012.explicit_little_endian.dcm', 0],
      ['dicom-samples/multiframe-encapsulated/CT0012.explicit_little_endian.dcm', 1],
      ['ct-series/lidc-idri-0001/000060.dcm', 0],
      ['ct-series/lung-pet-ct-dx-a0002/' + readdirDcm('ct-series/lung-pet-ct-dx-a0002')[15], 0],
      ['dicom-samples/ct-chest-transfer-syntaxes/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm', 0],
    ];
    for (const [rel, frame] of dicom) {
      const { record, masks, asked } = await analyse(await fileImage(rel, frame));
      expectRefused(record, masks, asked, `${rel} #${frame}`);
      expect(!isCxrAssessed(record) && record.inputGate).toEqual({ check: 'DICOM modality', value: 'CT', limit: 'CR, DX or other' });
    }
    // the same chest CT slice as a PNG (rendered with its DICOM window, as a screenshot would be), and a
    // lung-cropped CT slice of Per-COVID-19: no tag to go by, the image checks refuse them
    const slice = cxrGray8(await fileImage('ct-series/lidc-idri-0001/000060.dcm'));
    const png = encodePng({ width: slice.width, height: slice.height, data: Uint8Array.from(slice.data), channels: 1, depth: 8 });
    for (const [what, image] of [['LIDC-IDRI-0001 slice 60 as PNG', await imageOf(png, 'ct.png')], ['per-covid-19/images/2000.png', await fileImage('per-covid-19/images/2000.png')]] as const) {
      const { record, masks, asked } = await analyse(image);
      expectRefused(record, masks, asked, what);
      expect(!isCxrAssessed(record) && record.inputGate.check, what).not.toBe('DICOM modality');
    }
  });

  it('passes real radiographs (COVID-QU-Ex measurement fold, CR/DX DICOM) and scores them as training did', async () => {
    expect(fixture, 'training/cxr_gate/train.py writes the fixture').not.toBeNull();
    const real = fixture!.cases.filter((c) => c.group.startsWith('real-cxr'));
    expect(real.length).toBeGreaterThanOrEqual(5);
    for (const c of fixture!.cases) {
      const gray = cxrGray8(await fileImage(c.file, c.frame));
      // the model-free pre-checks measure what train.py's std8 / neighbour_corr measured (float32 vs float64 sums)
      const small = modelInput(gray, gateEntry!.input).raster;
      expect(Math.abs(spread(small.data) - c.std), c.file).toBeLessThan(1e-3);
      expect(Math.abs(neighbourCorrelation(small) - c.neighbourCorrelation), c.file).toBeLessThan(1e-5);
      const verdict = await cxrInputGate(gray, node);
      expect(verdict.passed ? 'pass' : 'reject', c.file).toBe(c.expect);
      expect(verdict.scores, `${c.file}: the model ran`).toBeDefined();
      verdict.scores!.forEach((v, k) => expect(Math.abs(v - c.int8[k]), `${c.file} score ${k}`).toBeLessThanOrEqual(1e-4 * Math.abs(c.int8[k]) + 1e-7));
    }
    for (const c of real) {
      const image = await fileImage(c.file, c.frame);
      const { record, masks } = await analyse(image);
      expect(isCxrAssessed(record), c.file).toBe(true);
      if (!isCxrAssessed(record)) continue;
      expect(record).not.toHaveProperty('assessed');
      expect(Object.keys(record.classification.probabilities)).toEqual(findModel(manifest, 'cxr-classification').labels);
      expect(masks.lung?.data.length).toBe(image.rows * image.columns);
    }
  });

  it('CSV: a refused image has the same columns, "no" and its reason, and no model numbers', async () => {
    const refused = (await analyse(await imageOf(pngOf(64, 64, () => 7), 'flat.png'))).record;
    const passed = (await analyse(await fileImage(fixture!.cases.find((c) => c.expect === 'pass')!.file))).record;
    expect([...BUNDLED_CLASS_LABELS]).toEqual(findModel(manifest, 'cxr-classification').labels);
    const [headA, rowA] = slicesCsv(cxrAnalysis, [{ index: 0, record: refused }]).trim().split('\n');
    const [headB, rowB] = slicesCsv(cxrAnalysis, [{ index: 0, record: passed }]).trim().split('\n');
    expect(headA).toBe(headB);
    const cells = rowA.split(',');
    const col = (name: string) => cells[headA.split(',').indexOf(name)];
    expect(col('assessed')).toBe('no');
    expect(rowA).toContain('not a chest radiograph');
    expect(['label', 'infectionPercentOfLung', 'boxesEnsemble'].map(col)).toEqual(['', '', '']);
    expect(rowB.split(',')[headB.split(',').indexOf('assessed')]).toBe('yes');
    expect(cxrAnalysis.describe(refused)).toMatch(/^CXR not assessed: not a chest radiograph/);
  });
});

function readdirDcm(rel: string): string[] {
  return readdirSync(path.join(dataRoot, rel)).filter((f) => f.endsWith('.dcm')).sort();
}