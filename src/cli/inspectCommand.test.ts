import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSyntheticCtSlice } from '../core/dicom/testing/writeSyntheticCtSlice.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repoRoot, 'bin/lunglens.mjs');
const samples = path.resolve(repoRoot, '../shared/data/dicom-samples');

describe('lunglens inspect (spawned bin)', () => {
  it('prints one JSON record per file, failures included, exit 0', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lunglens-inspect-'));
    writeFileSync(path.join(dir, 'a.dcm'), writeSyntheticCtSlice({ rows: 8, columns: 8, instanceNumber: 2 }));
    writeFileSync(path.join(dir, 'b.txt'), 'not an image');
    const mono1 = path.join(samples, 'cr-dx-chest/gdcm-CR-MONO1-10-chest.dcm');
    if (existsSync(mono1)) copyFileSync(mono1, path.join(dir, 'cr.dcm'));
    const out = execFileSync(process.execPath, [bin, 'inspect', dir, '--json'], { cwd: repoRoot, encoding: 'utf8' });
    const records = JSON.parse(out) as Record<string, unknown>[];
    const byName = Object.fromEntries(records.map((r) => [path.basename(r.file as string), r]));
    expect(Object.keys(byName).sort()).toEqual(existsSync(mono1) ? ['a.dcm', 'b.txt', 'cr.dcm'] : ['a.dcm', 'b.txt']);
    expect(byName['a.dcm']).toMatchObject({
      ok: true, error: null, modality: 'CT', rows: 8, columns: 8, frames: 1, transferSyntax: '1.2.840.10008.1.2.1',
      photometric: 'MONOCHROME2', bitsStored: 16, pixelSpacing: [0.7, 0.7], sliceThickness: 1.25,
      seriesInstanceUID: '2.25.1000.1', instanceNumber: 2,
    });
    const stats = byName['a.dcm'].stats as { min: number; max: number; mean: number };
    expect([stats.min, stats.max]).toEqual([-1000, 42]);
    expect(byName['b.txt']).toMatchObject({ ok: false, error: { code: 'not-dicom' }, stats: null });
    if (existsSync(mono1)) {
      // MONOCHROME1 is reported, never inverted in the stats (pydicom: 0 / 979 / 501.857...)
      expect(byName['cr.dcm']).toMatchObject({ photometric: 'MONOCHROME1', stats: { min: 0, max: 979 } });
    }
  }, 60_000);

  it('prints a human table without --json and exits 2 on usage errors', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lunglens-inspect-'));
    writeFileSync(path.join(dir, 'a.dcm'), writeSyntheticCtSlice({ rows: 8, columns: 8 }));
    const table = execFileSync(process.execPath, [bin, 'inspect', dir], { cwd: repoRoot, encoding: 'utf8' });
    expect(table).toMatch(/^file\s+modality/);
    expect(table).toMatch(/a\.dcm\s+CT\s+8x8/);
    expect(spawnSync(process.execPath, [bin, 'inspect'], { encoding: 'utf8' }).status).toBe(2);
    expect(spawnSync(process.execPath, [bin, 'inspect', dir, '--bogus'], { encoding: 'utf8' }).status).toBe(2);
    expect(spawnSync(process.execPath, [bin, 'nosuchcommand'], { encoding: 'utf8' }).status).toBe(2);
    expect(spawnSync(process.execPath, [bin, 'inspect', path.join(dir, 'missing')], { encoding: 'utf8' }).status).toBe(2);
  }, 60_000);
});
