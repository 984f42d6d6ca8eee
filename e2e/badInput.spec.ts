import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { canvasStats, collectPageErrors, openFiles, waitForSlice } from './support/app.ts';
import { dicomSamples } from './support/paths.ts';

const goodCt = path.join(dicomSamples, 'ct-chest-transfer-syntaxes/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm');

/** Broken copies of a real file, made fresh for each run. */
function makeBrokenFiles(): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lunglens-bad-'));
  const bytes = fs.readFileSync(goodCt);
  const truncated = path.join(dir, 'truncated.dcm');
  fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const garbled = path.join(dir, 'garbled.dcm');
  const g = Buffer.from(bytes);
  // Keep the preamble and "DICM" so it looks like DICOM, then scramble the header.
  for (let i = 140; i < 1400; i++) g[i] = (i * 7919) & 0xff;
  fs.writeFileSync(garbled, g);
  const text = path.join(dir, 'notes.txt');
  fs.writeFileSync(text, 'not an image at all\n');
  const empty = path.join(dir, 'empty.dcm');
  fs.writeFileSync(empty, Buffer.alloc(0));
  return { truncated, garbled, text, empty };
}

test('broken files are named with a reason while the good file still loads', async ({ page }) => {
  const errors = collectPageErrors(page);
  const bad = makeBrokenFiles();
  await page.goto('/');
  await openFiles(page, [bad.truncated, bad.garbled, bad.text, bad.empty, goodCt]);

  await expect(page.getByTestId('series-item')).toHaveCount(1);
  await waitForSlice(page, 0, 1);
  expect((await canvasStats(page)).std).toBeGreaterThan(4);

  const problem = (name: string) => page.getByTestId('load-error').filter({ hasText: name });
  await expect(problem('truncated.dcm')).toHaveAttribute('data-code', 'truncated');
  await expect(problem('notes.txt')).toHaveAttribute('data-code', 'not-dicom');
  await expect(problem('empty.dcm')).toHaveAttribute('data-code', /not-dicom|truncated/);
  await expect(problem('garbled.dcm')).toHaveAttribute('data-code', /not-dicom|truncated|decode-failed/);
  for (const name of ['truncated.dcm', 'notes.txt', 'garbled.dcm']) {
    await expect(problem(name)).toContainText(/\w+/);
  }

  // The session keeps working: a second drop adds to what is there.
  await openFiles(page, [path.join(dicomSamples, 'cr-dx-chest/gdcm-CR-MONO1-10-chest.dcm')]);
  await expect(page.getByTestId('series-item')).toHaveCount(2);
  expect(errors).toEqual([]);
});
