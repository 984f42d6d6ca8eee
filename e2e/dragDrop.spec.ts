import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { canvasStats, collectPageErrors, waitForSlice } from './support/app.ts';
import { dicomSamples } from './support/paths.ts';

test('files dropped onto the page load like opened ones', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto('/');
  const files = ['cr-dx-chest/gdcm-CR-MONO1-10-chest.dcm', 'covid19-ny-sbu-ct/A056642_axial_19001229-053.dcm'].map((f) => ({
    name: path.basename(f),
    base64: fs.readFileSync(path.join(dicomSamples, f)).toString('base64'),
  }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: 'application/dicom' }));
    }
    return dt;
  }, files);
  const zone = page.getByTestId('drop-zone');
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId('series-item')).toHaveCount(2);
  await waitForSlice(page, 0, 1);
  expect((await canvasStats(page)).std).toBeGreaterThan(4);
  expect(errors).toEqual([]);
});
