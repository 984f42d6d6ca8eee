// Fuzzed files in the app (issue 15): each one is named in the problem list with a reason, the good
// file beside them loads and renders, and the session keeps working afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { fuzzCase, type FuzzSeed } from '../src/core/dicom/testing/fuzzCorpus.ts';
import { canvasStats, collectPageErrors, openFiles, waitForSlice } from './support/app.ts';
import { dataRoot, dicomSamples } from './support/paths.ts';

const goodCt = path.join(dicomSamples, 'ct-chest-transfer-syntaxes/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm');
const png = path.join(dataRoot, 'covid-qu-ex/Train/Normal/images/Normal (11766).png');

/** Header-level cases: the app must refuse them at load, before any pixel is decoded. */
const DICOM_CASES = ['bits-allocated', 'bits-stored', 'frames', 'dimensions', 'pixel-length', 'transfer-syntax', 'deep-sequence', 'zero-length-sequence', 'truncate-header'];
const PNG_CASES = ['size-0x0', 'size-20000'];

test('fuzzed files are each named with a reason; the good file still shows; the app keeps working', async ({ page }) => {
  const errors = collectPageErrors(page);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lunglens-fuzzed-'));
  const seed = (file: string, name: string): FuzzSeed => ({ name, bytes: new Uint8Array(fs.readFileSync(file)) });
  const cases = [
    ...DICOM_CASES.map((m) => fuzzCase(seed(goodCt, 'ct'), m, 7)!),
    ...PNG_CASES.map((m) => fuzzCase(seed(png, 'cxr'), m, 7)!),
  ].filter((c) => c.mustFail);
  expect(cases.length).toBeGreaterThanOrEqual(9);
  const files = cases.map((c) => {
    const file = path.join(dir, c.name);
    fs.writeFileSync(file, c.bytes);
    return file;
  });
  try {
    await page.goto('/');
    await openFiles(page, [...files, goodCt]);
    await expect(page.getByTestId('series-item')).toHaveCount(1);
    await waitForSlice(page, 0, 1);
    expect((await canvasStats(page)).std).toBeGreaterThan(4);
    for (const c of cases) {
      const problem = page.getByTestId('load-error').filter({ hasText: c.name });
      await expect(problem, c.name).toHaveCount(1);
      await expect(problem, c.name).toHaveAttribute('data-code', /invalid-header|too-large|truncated|not-dicom|unsupported-transfer-syntax/);
    }
    await openFiles(page, [path.join(dicomSamples, 'cr-dx-chest/gdcm-CR-MONO1-10-chest.dcm')]);
    await expect(page.getByTestId('series-item')).toHaveCount(2);
    expect(errors).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
