// The CXR input gate in the app (issue 11): a blank image the user calls a radiograph is "not assessed" with
// the reason in the panel and in the report JSON, and no class, box or mask is shown.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { encode as encodePng } from 'fast-png';
import { collectPageErrors, openFiles, waitForSlice } from './support/app.ts';
import { repoRoot } from './support/paths.ts';

const haveGate = fs.existsSync(path.join(repoRoot, 'models/cxr-input-gate/model.int8.onnx'));

test.skip(!haveGate, 'no input gate model bundled');

test('a blank PNG read as a radiograph: not assessed, the reason shown, no classification', async ({ page }) => {
  const errors = collectPageErrors(page);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lunglens-gate-'));
  const file = path.join(dir, 'blank.png');
  fs.writeFileSync(file, encodePng({ width: 320, height: 320, data: new Uint8Array(320 * 320).fill(90), channels: 1, depth: 8 }));
  try {
    await page.goto('/?backend=wasm');
    await openFiles(page, [file]);
    await page.getByTestId('series-item').last().click();
    await waitForSlice(page, 0, 1);
    await page.getByTestId('ask-modality').locator('input[value="cxr"]').check();
    await page.getByTestId('run-analysis').click();
    await expect(page.getByTestId('analysis-status')).toHaveText('done', { timeout: 120_000 });
    await expect(page.getByTestId('cxr-not-assessed')).toContainText('not a chest radiograph: blank or near-uniform image');
    await expect(page.getByTestId('class-probabilities')).toHaveCount(0);
    const report = JSON.parse((await page.getByTestId('report-json').textContent())!);
    const record = report.slices[0].record;
    expect(record.assessed).toBe(false);
    expect(record.reason).toMatch(/^not a chest radiograph: /);
    expect(record).not.toHaveProperty('classification');
    expect(record).not.toHaveProperty('detections');
    expect(report.models.map((m: { id: string }) => m.id)).toEqual(['cxr-input-gate']);
    expect(errors).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
