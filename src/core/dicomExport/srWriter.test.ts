import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCtMeasurementReport, type CtSeriesNumbers } from './ctMeasurementReport.ts';
import { writeCxrMeasurementReport } from './cxrMeasurementReport.ts';
import { writeSegmentation } from './segWriter.ts';
import { readSourceInstance, sourceSeriesOf } from './sourceImages.ts';
import { ctSeriesDir, huMask, loadCtSeries, radiographFile, type LoadedSeries } from './testing/realCtSeries.ts';
import { dciodvfyErrors, dciodvfyReport, readBack } from './testing/dicomTools.ts';

interface SrReadBack {
  common: Record<string, string>;
  num: { group: string | null; name: string; code: string; value: number; unit: string }[];
  code: { group: string | null; name: string; value: string }[];
  text: { group: string | null; name: string; value: string }[];
  scoord: { group: string | null; type: string; data: number[] }[];
  image: { group: string | null; name: string; sop: string; segment: number | null }[];
  evidence: string[];
  template: string;
}

let dir: string;
let ct: LoadedSeries;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lunglens-sr-'));
  ct = await loadCtSeries(ctSeriesDir('lung-pet-ct-dx-a0002'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const segModel = { modelId: 'ct-lesion-segmentation', version: '1.0.0' };
const regModel = { modelId: 'ct-infection-regression', version: '1.0.0' };
const find = (b: SrReadBack, group: string, code: string) => b.num.filter((n) => n.group === group && n.code === code).map((n) => n.value);

describe('CT measurement report (TID 1500) for the real Lung-PET-CT-Dx series', () => {
  it('is valid (dciodvfy), references the SEG segments and source images, and states every number given', () => {
    const lung = ct.hu.map((h) => huMask(h, -950, -500));
    const lesion = ct.hu.map((h) => huMask(h, -700, -500));
    const seg = writeSegmentation({ series: ct.source, producer: { softwareVersion: '0.1.0' }, segments: [
      { kind: 'lung', algorithm: segModel, masks: lung },
      { kind: 'lesion', algorithm: segModel, masks: lesion },
    ] });
    const [rowMm, colMm] = ct.source.images[0].pixelSpacingMm!;
    const [p0, p1] = [ct.source.images[0].imagePositionPatient!, ct.source.images[1].imagePositionPatient!];
    const voxelMl = (rowMm * colMm * Math.hypot(p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2])) / 1000;
    expect(voxelMl).toBeGreaterThan(0);
    const numbers: CtSeriesNumbers = {
      slicesAnalysed: 30,
      lungVolumeMl: seg.segments[0].voxels * voxelMl,
      lesionVolumeMl: seg.segments[1].voxels * voxelMl,
      infectionPercentOfLung: (100 * seg.segments[1].voxels) / seg.segments[0].voxels,
      severity: { score: 3, label: 'moderate' },
      regressionPercentMean: 12.3456789,
      regressionPercentMax: 40.5,
      lesions: [
        { volumeMl: 101.25, ggoShare: 0.75, consolidationShare: 0.25, firstSlice: 3, lastSlice: 9, largestAreaSlice: 5, side: 'left' },
        { volumeMl: 3.5, firstSlice: 20, lastSlice: 20, largestAreaSlice: 20, side: 'right' },
      ],
    };
    const sr = writeCtMeasurementReport({ series: ct.source, numbers, seg, models: { segmentation: segModel, regression: regModel }, producer: { softwareVersion: '0.1.0' } });
    const file = path.join(dir, 'ct.sr.dcm');
    writeFileSync(file, sr.bytes);
    expect(dciodvfyErrors(file), dciodvfyReport(file)).toEqual([]);

    const b = readBack<SrReadBack>(file);
    expect(b.template).toBe('1500');
    expect(b.common).toMatchObject({ Modality: 'SR', StudyInstanceUID: ct.source.study.studyInstanceUID, PatientID: ct.source.study.patientID, SOPInstanceUID: sr.sopInstanceUID });
    expect(find(b, 'Lung', '118565006')[0]).toBeCloseTo(numbers.lungVolumeMl!, 9);
    expect(find(b, 'Lesion', '118565006')[0]).toBeCloseTo(numbers.lesionVolumeMl!, 9);
    expect(find(b, 'Series summary', 'infection-pct')[0]).toBeCloseTo(numbers.infectionPercentOfLung!, 9);
    expect(find(b, 'Series summary', 'regression-mean')).toEqual([12.3456789]);
    expect(find(b, 'Series summary', 'regression-max')).toEqual([40.5]);
    expect(find(b, 'Series summary', 'severity-score')).toEqual([3]);
    expect(b.code.find((c) => c.group === 'Series summary' && c.name === 'Severity')?.value).toBe('Moderate');
    expect(find(b, 'Lesion 1', '118565006')).toEqual([101.25]);
    expect(find(b, 'Lesion 1', 'ggo-share')).toEqual([75]);
    expect(find(b, 'Lesion 1', 'first-slice')).toEqual([4]);
    expect(find(b, 'Lesion 2', '118565006')).toEqual([3.5]);
    expect(b.code.find((c) => c.group === 'Lesion 2' && c.name === 'Finding Site')?.value).toBe('Right lung');
    // The regression numbers name their model; volumes name the segmentation model.
    expect(b.text.filter((t) => t.group === 'Series summary' && t.name === 'Algorithm Name').map((t) => t.value)).toContain('ct-infection-regression');
    expect(b.text.filter((t) => t.group === 'Lung' && t.name === 'Algorithm Version').map((t) => t.value)).toEqual(['1.0.0']);
    // References: the SEG's segments and every source image.
    expect(b.image.filter((i) => i.name === 'Referenced Segment')).toEqual([
      { group: 'Lung', name: 'Referenced Segment', sop: seg.sopInstanceUID, segment: 1 },
      { group: 'Lesion', name: 'Referenced Segment', sop: seg.sopInstanceUID, segment: 2 },
    ]);
    expect(new Set(b.evidence)).toEqual(new Set([...ct.source.images.map((i) => i.sopInstanceUID), seg.sopInstanceUID]));
  });
});

describe('radiograph measurement report (TID 1500) for the real CR chest image', () => {
  it('is valid (dciodvfy), with the class probabilities and each box as SCOORD on the source image naming its detector', () => {
    const source = sourceSeriesOf([readSourceInstance(new Uint8Array(readFileSync(radiographFile)))]);
    const probabilities = { 'COVID-19': 0.125, 'other pneumonia': 0.5, normal: 0.375 };
    const sr = writeCxrMeasurementReport({
      series: source,
      classification: { model: { modelId: 'cxr-classification', version: '1.0.0' }, probabilities },
      detections: [
        { name: 'A', models: [{ modelId: 'cxr-detector-yolo', version: '1.0.0' }], boxes: [{ x: 100, y: 120, w: 200, h: 150, score: 0.8 }] },
        { name: 'ensemble', models: [{ modelId: 'cxr-detector-yolo', version: '1.0.0' }, { modelId: 'cxr-detector-centernet', version: '1.0.0' }], boxes: [
          { x: 10.5, y: 20.25, w: 30, h: 40, score: 0.625 },
          { x: 300, y: 200, w: 50, h: 60, score: 0.5 },
        ] },
      ],
      infection: { model: { modelId: 'cxr-segmentation', version: '1.0.0' }, percentOfLung: 7.25 },
      producer: { softwareVersion: '0.1.0' },
    });
    const file = path.join(dir, 'cxr.sr.dcm');
    writeFileSync(file, sr.bytes);
    expect(dciodvfyErrors(file), dciodvfyReport(file)).toEqual([]);
    const b = readBack<SrReadBack>(file);
    expect(b.common).toMatchObject({ StudyInstanceUID: source.study.studyInstanceUID, Modality: 'SR' });
    expect(b.num.filter((n) => n.code === 'class-prob').map((n) => n.value)).toEqual([0.125, 0.5, 0.375]);
    expect(b.text.filter((t) => t.name === 'Class name (model label)').map((t) => t.value)).toEqual(Object.keys(probabilities));
    expect(find(b, 'Classification', 'infection-pct')).toEqual([7.25]);
    expect(b.scoord).toEqual([
      { group: 'Opacity 1 (detector A)', type: 'POLYLINE', data: [100, 120, 300, 120, 300, 270, 100, 270, 100, 120] },
      { group: 'Opacity 1 (detector ensemble)', type: 'POLYLINE', data: [10.5, 20.25, 40.5, 20.25, 40.5, 60.25, 10.5, 60.25, 10.5, 20.25] },
      { group: 'Opacity 2 (detector ensemble)', type: 'POLYLINE', data: [300, 200, 350, 200, 350, 260, 300, 260, 300, 200] },
    ]);
    expect(find(b, 'Opacity 1 (detector ensemble)', 'detection-score')).toEqual([0.625]);
    expect(b.text.filter((t) => t.group === 'Opacity 1 (detector ensemble)' && t.name === 'Algorithm Name').map((t) => t.value)).toEqual(['cxr-detector-yolo', 'cxr-detector-centernet']);
    // Each region is selected from the radiograph itself.
    expect(b.image.filter((i) => i.name === 'Source Image' && i.group?.startsWith('Opacity')).map((i) => i.sop)).toEqual(Array(3).fill(source.images[0].sopInstanceUID));
    expect(b.evidence).toEqual([source.images[0].sopInstanceUID]);
  });
});
