/**
 * A single CT image (DICOM, HU) with no lung in it -- outside the chest, a head or abdomen slice -- is not
 * assessed: `assessed: false`, the reason, its (empty) lung, and no model numbers (issue 11's input gate,
 * as a whole-series slice with too little lung is). A real chest slice beside it is still assessed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFiles, type CliRecord } from '../../../cli/analyzeCommand.ts';
import { covidSliceFile } from '../../dicom/testing/stackedSliceSeries.ts';
import { writeSyntheticCtSlice } from '../../dicom/testing/writeSyntheticCtSlice.ts';
import { createNodeAnalysisContext, type NodeAnalysisContext } from '../../runtime/nodeContext.ts';
import type { CtRecord } from './ctRecord.ts';
import { ctExports } from '../../dicomExport/analysisExports.ts';

const MODELS = path.resolve(__dirname, '../../../../models');

describe('CT image without lung', () => {
  let ctx: NodeAnalysisContext;
  let dir: string;
  beforeAll(async () => {
    ctx = await createNodeAnalysisContext(MODELS, { threads: 1 });
    dir = mkdtempSync(path.join(os.tmpdir(), 'lunglens-nolung-'));
  });
  afterAll(async () => {
    await ctx?.release();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is not assessed and gets no model numbers; a real chest slice still is', async () => {
    // air around a soft-tissue disc: a body outline with no air inside it
    const noLung = path.join(dir, 'no-lung.dcm');
    writeFileSync(noLung, writeSyntheticCtSlice({ rows: 256, columns: 256, pixelSpacing: [1, 1] }));
    const [gated, chest] = (await analyzeFiles({ files: [noLung, covidSliceFile.pathname], json: true, modelsDir: MODELS }, ctx)) as CliRecord<CtRecord>[];
    expect(gated).toMatchObject({ assessed: false, lungFound: false, lungAreaPx: 0 });
    expect(gated.assessed === false && gated.reason).toMatch(/no lung/);
    for (const key of ['infectionPercent', 'lesionPercentOfLung', 'lesionAreaPx', 'heads']) expect(gated).not.toHaveProperty(key);
    expect(chest).toMatchObject({ lungFound: true });
    expect(chest).not.toHaveProperty('assessed');
    expect(chest.assessed !== false && chest.infectionPercent).toBeGreaterThan(20);
    // its DICOM SEG/SR and NIfTI buttons say why there is nothing to export, instead of failing
    const only = (r: CtRecord) => ({ slices: [{ index: 0, record: r }], headers: [], stride: 1 });
    for (const e of ctExports) {
      expect(e.unavailable?.(only(gated))).toMatch(/no slice of this series was assessed/);
      expect(e.unavailable?.(only(chest))).toBeNull();
    }
  });
});
