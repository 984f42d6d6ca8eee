import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSourceInstance } from '../../core/dicomExport/sourceImages.ts';
import { dciodvfyErrors, dciodvfyReport, readBack } from '../../core/dicomExport/testing/dicomTools.ts';
import { stackedSliceSeries } from '../../core/dicom/testing/stackedSliceSeries.ts';
import { readNifti } from '../../core/nifti/readNifti.ts';
import { applyAffine, type Vec3 } from '../../core/nifti/volumeGeometry.ts';
import { writeNiftiMask } from '../../core/nifti/writeNifti.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
// Real COVID-19 lesions are needed for the lesion segments, so the series is one real COVID-19 slice stacked
// 24 times at 5 mm (the staged whole series are non-COVID, where the lesion model now marks nothing).
const seriesDir = mkdtempSync(path.join(os.tmpdir(), 'lunglens-cli-hospital-series-'));
const files = stackedSliceSeries(24, 5).files.map((f) => {
  writeFileSync(path.join(seriesDir, f.name), f.bytes);
  return path.join(seriesDir, f.name);
});
const seriesUid = readSourceInstance(new Uint8Array(readFileSync(files[0]))).seriesInstanceUID;

interface Summary {
  lungVolumeMl: number;
  leftLungVolumeMl?: number;
  rightLungVolumeMl?: number;
  lesionVolumeMl: number;
  infectionPercentOfLung: number;
  sliceSpacingMm: number;
  severity: { score: number; label: string };
  regressionPercentMean: number;
  regressionPercentMax: number;
  lesions?: { volumeMl: number }[];
}
interface Num { group: string | null; name: string; code: string; value: number }

let out: string;
let records: Record<string, unknown>[];
let summary: Summary;

beforeAll(() => {
  out = mkdtempSync(path.join(os.tmpdir(), 'lunglens-cli-hospital-'));
  const json = execFileSync(process.execPath, [path.join(repoRoot, 'bin/lunglens.mjs'), 'analyze', ...files, '--json', '--dicom-out', path.join(out, 'dicom'), '--nifti-out', path.join(out, 'nifti')], {
    cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'pipe'],
  });
  records = JSON.parse(json) as Record<string, unknown>[];
  const series = records.find((r) => r.series === seriesUid);
  if (!series) throw new Error('the CLI printed no series record');
  summary = series.summary as Summary;
}, 180_000);
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(seriesDir, { recursive: true, force: true });
});

function cli(args: string[]): Record<string, unknown>[] {
  const r = execFileSync(process.execPath, [path.join(repoRoot, 'bin/lunglens.mjs'), 'analyze', ...args, '--json'], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(r) as Record<string, unknown>[];
}
const arrayBuffer = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe('lunglens analyze --dicom-out --nifti-out on a series of real COVID-19 lesions', () => {
  it('writes <SeriesInstanceUID>.seg.dcm and .sr.dcm (valid for dciodvfy) and <uid>.masks.nii.gz', () => {
    expect(readdirSync(path.join(out, 'dicom')).sort()).toEqual([`${seriesUid}.seg.dcm`, `${seriesUid}.sr.dcm`]);
    expect(readdirSync(path.join(out, 'nifti'))).toEqual([`${seriesUid}.masks.nii.gz`]);
    for (const f of ['seg', 'sr']) {
      const file = path.join(out, 'dicom', `${seriesUid}.${f}.dcm`);
      expect(dciodvfyErrors(file), dciodvfyReport(file)).toEqual([]);
    }
  });

  it('the SEG voxels (read by pydicom) give the left / right lung and lesion volumes the CLI printed', () => {
    const back = readBack<{ frames: Record<string, { voxels: number }>; segments: Record<string, { label: string; type: string; scheme: string }> }>(path.join(out, 'dicom', `${seriesUid}.seg.dcm`));
    expect(Object.values(back.segments).map((s) => s.label)).toEqual(['Left lung', 'Right lung', 'Ground glass opacity', 'Consolidation']);
    expect(Object.values(back.segments).map((s) => `${s.scheme} ${s.type}`)).toEqual(['SCT 44029006', 'SCT 3341006', 'DCM 112120', 'SCT 95436008']);
    const [rowMm, colMm] = readSourceInstance(new Uint8Array(readFileSync(files[0]))).image.pixelSpacingMm!;
    const ml = (voxels: number) => (voxels * rowMm * colMm * summary.sliceSpacingMm) / 1000;
    expect(summary.lesionVolumeMl).toBeGreaterThan(1); // a real lesion volume, not an empty test
    expect(Math.abs(ml(back.frames['3'].voxels + back.frames['4'].voxels) - summary.lesionVolumeMl)).toBeLessThan(0.05);
    // Both lungs are there, and left + right is the printed lung volume, each side its printed volume.
    expect(summary.leftLungVolumeMl).toBeGreaterThan(500);
    expect(summary.rightLungVolumeMl).toBeGreaterThan(500);
    expect(Math.abs(ml(back.frames['1'].voxels + back.frames['2'].voxels) - summary.lungVolumeMl)).toBeLessThan(0.1);
    expect(Math.abs(ml(back.frames['1'].voxels) - summary.leftLungVolumeMl!)).toBeLessThan(0.1);
    expect(Math.abs(ml(back.frames['2'].voxels) - summary.rightLungVolumeMl!)).toBeLessThan(0.1);
  });

  it('the SR states the numbers of the printed summary', () => {
    const b = readBack<{ num: Num[]; image: { group: string | null; name: string; segment: number | null }[] }>(path.join(out, 'dicom', `${seriesUid}.sr.dcm`));
    const get = (group: string, code: string) => b.num.filter((n) => n.group === group && n.code === code).map((n) => n.value);
    // One volume group per lung side, each pointing at its SEG segment; the whole lung in the series group.
    expect(get('Left lung', '118565006')).toEqual([summary.leftLungVolumeMl]);
    expect(get('Right lung', '118565006')).toEqual([summary.rightLungVolumeMl]);
    expect(get('Series summary', '118565006')).toEqual([summary.lungVolumeMl]);
    expect(b.image.filter((i) => i.name === 'Referenced Segment').map((i) => [i.group, i.segment])).toEqual([
      ['Left lung', 1], ['Right lung', 2], ['Ground glass opacity', 3], ['Consolidation', 4],
    ]);
    expect(get('Series summary', 'lesion-volume')).toEqual([summary.lesionVolumeMl]);
    expect(get('Series summary', 'infection-pct')).toEqual([summary.infectionPercentOfLung]);
    expect(get('Series summary', 'severity-score')).toEqual([summary.severity.score]);
    expect(get('Series summary', 'regression-mean')).toEqual([summary.regressionPercentMean]);
    expect(get('Series summary', 'regression-max')).toEqual([summary.regressionPercentMax]);
    const lesions = summary.lesions ?? [];
    lesions.forEach((l, k) => expect(get(`Lesion ${k + 1}`, '118565006')).toEqual([l.volumeMl]));
  });

  it('the NIfTI label map holds the same voxels as the SEG (1 right lung, 2 left lung, 3 GGO, 4 consolidation)', () => {
    const back = readBack<{ frames: Record<string, { voxels: number }> }>(path.join(out, 'dicom', `${seriesUid}.seg.dcm`));
    const bytes = readFileSync(path.join(out, 'nifti', `${seriesUid}.masks.nii.gz`));
    const vol = readNifti(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(vol.dims).toEqual([512, 512, files.length]);
    const counts = [0, 0, 0, 0, 0, 0];
    for (const v of vol.values) counts[v]++;
    expect(counts[3]).toBe(back.frames['3'].voxels);
    expect(counts[4]).toBe(back.frames['4'].voxels);
    expect(counts[5]).toBe(0); // the lungs were split by side
    // SEG segment 1 is the left lung, 2 the right; lesion labels overwrite lung voxels in the label map
    expect(counts[1]).toBeGreaterThan(0);
    expect(counts[2]).toBeGreaterThan(0);
    expect(counts[1]).toBeLessThanOrEqual(back.frames['2'].voxels);
    expect(counts[2]).toBeLessThanOrEqual(back.frames['1'].voxels);
    expect(counts[1] + counts[2] + counts[3] + counts[4]).toBeGreaterThanOrEqual(back.frames['1'].voxels + back.frames['2'].voxels);
  });
});

describe('NIfTI in: the dcm2niix conversion of the same series', () => {
  it('gives the same study-level numbers as the DICOM series (lung volume within 2 %), and its mask export lies on the volume', () => {
    const dir = path.join(out, 'dcm2niix');
    mkdirSync(dir, { recursive: true });
    execFileSync('dcm2niix', ['-z', 'y', '-b', 'n', '-f', 'volume', '-o', dir, seriesDir], { stdio: 'pipe' });
    const nii = path.join(dir, 'volume.nii.gz');
    const recs = cli([nii, '--nifti-out', path.join(out, 'nifti-from-nifti')]);
    const s = recs.find((r) => 'summary' in r)?.summary as Summary;
    expect(s, JSON.stringify(recs)).toBeDefined();
    expect(Math.abs(s.lungVolumeMl - summary.lungVolumeMl) / summary.lungVolumeMl).toBeLessThan(0.02);
    expect(Math.abs(s.lesionVolumeMl - summary.lesionVolumeMl)).toBeLessThan(0.02 * summary.lesionVolumeMl + 0.5);

    // The exported mask covers the same patient space as the volume it came from: same corners.
    const [maskFile] = readdirSync(path.join(out, 'nifti-from-nifti'));
    const mask = readNifti(arrayBuffer(readFileSync(path.join(out, 'nifti-from-nifti', maskFile))));
    const volume = readNifti(arrayBuffer(readFileSync(nii)));
    const corners = (v: typeof volume) => {
      const [x, y, z] = v.dims.map((d) => d - 1);
      const pts: Vec3[] = [];
      for (const i of [0, x]) for (const j of [0, y]) for (const k of [0, z]) pts.push(applyAffine(v.voxelToLps, [i, j, k]).map((c) => Math.round(c * 100) / 100) as Vec3);
      return pts.map((p) => p.join(',')).sort();
    };
    expect(corners(mask)).toEqual(corners(volume));
  });

  it('a 4-D NIfTI and one without orientation are refused with the reason', () => {
    const identity = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    const fourD = Buffer.from(writeNiftiMask(new Uint8Array(8), { dims: [2, 2, 2], voxelToLps: identity }));
    fourD.writeInt16LE(4, 40);
    fourD.writeInt16LE(3, 48);
    const flat = Buffer.from(writeNiftiMask(new Uint8Array(8), { dims: [2, 2, 2], voxelToLps: identity }));
    flat.writeInt16LE(0, 252);
    flat.writeInt16LE(0, 254);
    const dir = path.join(out, 'bad');
    mkdirSync(dir, { recursive: true });
    const files = { fourD: path.join(dir, 'fmri.nii'), flat: path.join(dir, 'flat.nii') };
    writeFileSync(files.fourD, fourD);
    writeFileSync(files.flat, flat);
    let printed = '';
    try {
      cli([files.fourD, files.flat]);
    } catch (e) {
      printed = String((e as { stdout?: string }).stdout ?? '');
    }
    const errors = (JSON.parse(printed) as { file: string; error?: string }[]).map((r) => `${path.basename(r.file)}: ${r.error}`);
    expect(errors).toEqual([
      expect.stringMatching(/^fmri\.nii: .*4-D \(2 × 2 × 2 × 3\)/),
      expect.stringMatching(/^flat\.nii: .*no orientation/),
    ]);
  });
});

describe('lunglens analyze --dicom-out on a radiograph', () => {
  it('writes <SOPInstanceUID>.sr.dcm (valid) stating the printed probabilities and every box of A, B and the ensemble', () => {
    // the NCCID radiograph: the detectors draw boxes on it (none on the gdcm CR sample)
    const cr = path.join(repoRoot, '../shared/data/dicom-samples/cr-dx-chest/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm');
    const sop = readSourceInstance(new Uint8Array(readFileSync(cr))).image.sopInstanceUID;
    const dir = path.join(out, 'cr');
    const [rec] = cli([cr, '--dicom-out', dir]) as { classification: { probabilities: Record<string, number> }; detections: Record<'A' | 'B' | 'ensemble', { x: number; y: number; w: number; h: number; score: number }[]>; infectionPercentOfLung: number }[];
    const file = path.join(dir, `${sop}.sr.dcm`);
    expect(readdirSync(dir)).toEqual([`${sop}.sr.dcm`]);
    expect(dciodvfyErrors(file), dciodvfyReport(file)).toEqual([]);
    const b = readBack<{ num: Num[]; scoord: { group: string; data: number[] }[] }>(file);
    expect(b.num.filter((n) => n.code === 'class-prob').map((n) => n.value)).toEqual(Object.values(rec.classification.probabilities));
    expect(b.num.filter((n) => n.code === 'infection-pct').map((n) => n.value)).toEqual([rec.infectionPercentOfLung]);
    expect(b.scoord.length).toBeGreaterThan(0); // this radiograph has boxes: the check below is not empty
    for (const name of ['A', 'B', 'ensemble'] as const) {
      const boxes = b.scoord.filter((s) => s.group.endsWith(`(detector ${name})`));
      expect(boxes.map((s) => s.data.slice(0, 2).map((v) => Math.round(v * 10) / 10))).toEqual(rec.detections[name].map((d) => [d.x, d.y]));
    }
  });
});
