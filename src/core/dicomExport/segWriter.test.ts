import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSegmentation, type SegmentMasks } from './segWriter.ts';
import { ctSeriesDir, huMask, loadCtSeries, type LoadedSeries } from './testing/realCtSeries.ts';
import { dciodvfyErrors, dciodvfyReport, readBack } from './testing/dicomTools.ts';

interface SegReadBack {
  common: Record<string, string>;
  frames: Record<string, { voxels: number; frames: number; sources: string[]; positions: number[][] }>;
  segments: Record<string, { label: string; type: string; scheme: string; algorithm: string; algorithmVersion: string }>;
}

let dir: string;
const loaded = new Map<string, LoadedSeries>();
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lunglens-seg-'));
  for (const name of ['lung-pet-ct-dx-a0002', 'lidc-idri-0001'] as const) loaded.set(name, await loadCtSeries(ctSeriesDir(name)));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const algorithm = { modelId: 'hu-threshold-test', version: '0.0.1' };
const count = (masks: (Uint8Array | undefined)[]) => masks.reduce((n, m) => n + (m ? m.reduce((a, v) => a + (v ? 1 : 0), 0) : 0), 0);

describe.each(['lung-pet-ct-dx-a0002', 'lidc-idri-0001'])('writeSegmentation on the real series %s (HU-threshold masks)', (name) => {
  it('is a valid SEG (dciodvfy), read back by pydicom with the voxels, codes, references and UIDs written', () => {
    const ct = loaded.get(name)!;
    // Every 3rd slice "analysed", as the app does for long series; the others get no frame.
    const analysed = (i: number) => i % 3 === 0;
    // Left and right lung from one side map (2 left, 1 right: the image's two halves), as the CT export writes them.
    const lung = ct.hu.map((h, i) => (analysed(i) ? huMask(h, -950, -500) : undefined));
    const columns = ct.source.images[0].columns;
    const sides = lung.map((m) => m?.map((v, p) => (v ? (p % columns < columns / 2 ? 1 : 2) : 0)));
    const segments: SegmentMasks[] = [
      { kind: 'left-lung', algorithm, masks: sides, value: 2 },
      { kind: 'right-lung', algorithm, masks: sides, value: 1 },
      { kind: 'ground-glass', algorithm, masks: ct.hu.map((h, i) => (analysed(i) ? huMask(h, -700, -500) : undefined)) },
      { kind: 'consolidation', algorithm: { modelId: 'other-model', version: '2.1.0' }, masks: ct.hu.map((h, i) => (analysed(i) ? huMask(h, 40000, 50000) : undefined)) },
    ];
    const seg = writeSegmentation({ series: ct.source, segments, producer: { softwareVersion: '0.1.0' } });
    const file = path.join(dir, `${name}.seg.dcm`);
    writeFileSync(file, seg.bytes);

    expect(dciodvfyErrors(file), dciodvfyReport(file)).toEqual([]);
    const back = readBack<SegReadBack>(file);
    expect(back.common.Modality).toBe('SEG');
    expect(back.common.StudyInstanceUID).toBe(ct.source.study.studyInstanceUID);
    expect(back.common.PatientID).toBe(ct.source.study.patientID);
    expect(back.common.FrameOfReferenceUID).toBe(ct.source.frameOfReferenceUID);
    expect(back.common.SeriesInstanceUID).toBe(seg.seriesInstanceUID);
    expect(back.common.SeriesInstanceUID).not.toBe(ct.source.seriesInstanceUID);
    expect(back.common.SOPInstanceUID).toMatch(/^2\.25\.\d+$/);

    const expected = segments.map((s) => (s.value === undefined ? count([...s.masks]) : count(s.masks.map((m) => m?.map((v) => (v === s.value ? 1 : 0))))));
    expect(expected[0]).toBeGreaterThan(5_000); // the test means something: real lung voxels on both sides
    expect(expected[1]).toBeGreaterThan(5_000);
    expect(expected[0] + expected[1]).toBe(count(lung));
    expect(expected[3]).toBe(0);
    segments.forEach((s, k) => {
      const got = back.frames[String(k + 1)];
      expect(got.voxels, s.kind).toBe(expected[k]);
      expect(seg.segments[k].voxels).toBe(expected[k]);
      // Each frame points at the source image of its position.
      got.sources.forEach((uid, f) => {
        const i = ct.source.images.findIndex((img) => img.sopInstanceUID === uid);
        expect(i % 3).toBe(0);
        expect(got.positions[f]).toEqual(ct.source.images[i].imagePositionPatient);
      });
    });
    expect(back.frames['4'].frames).toBe(1); // an empty segment keeps one empty frame on record
    expect(back.segments['1']).toMatchObject({ label: 'Left lung', type: '44029006', scheme: 'SCT', algorithm: 'hu-threshold-test', algorithmVersion: '0.0.1' });
    expect(back.segments['2']).toMatchObject({ label: 'Right lung', type: '3341006', scheme: 'SCT' });
    expect(back.segments['3']).toMatchObject({ type: '112120', scheme: 'DCM' });
    expect(back.segments['4']).toMatchObject({ type: '95436008', algorithm: 'other-model', algorithmVersion: '2.1.0' });
  });

  it('refuses masks that do not fit the series, with the reason', () => {
    const ct = loaded.get(name)!;
    const wrongCount: SegmentMasks = { kind: 'lung', algorithm, masks: [new Uint8Array(4)] };
    expect(() => writeSegmentation({ series: ct.source, segments: [wrongCount], producer: { softwareVersion: '0' } })).toThrow(new RegExp(`1 masks for ${ct.hu.length} source images`));
    const wrongSize: SegmentMasks = { kind: 'lung', algorithm, masks: ct.hu.map(() => new Uint8Array(4)) };
    expect(() => writeSegmentation({ series: ct.source, segments: [wrongSize], producer: { softwareVersion: '0' } })).toThrow(/mask has 4 pixels/);
    const noGeometry = { ...ct.source, images: ct.source.images.map((i) => ({ ...i, imagePositionPatient: undefined })) };
    expect(() => writeSegmentation({ series: noGeometry, segments: [], producer: { softwareVersion: '0' } })).toThrow(/lacks position/);
  });
});
