import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { collectPageErrors, snapshot, snapshotDiff, waitForSlice } from './support/app.ts';
import { dicomSamples, repoRoot } from './support/paths.ts';
import { writeSeriesFromRealSlice } from './support/syntheticSeries.ts';

const hasModels = (): boolean =>
  (JSON.parse(fs.readFileSync(path.join(repoRoot, 'models/manifest.json'), 'utf8')) as { models: unknown[] }).models.length > 0;

test('a 300-slice CT series is analysed progressively: overlays on finished slices, progress, cancel', async ({ page }) => {
  test.skip(!hasModels(), 'no models in models/manifest.json');
  test.setTimeout(300_000);
  const errors = collectPageErrors(page);
  const { dir, files } = await writeSeriesFromRealSlice(path.join(dicomSamples, 'covid19-ny-sbu-ct/A002304_axial_19010112-135.dcm'), 300);
  try {
    await page.goto('/?backend=wasm');
    await page.getByTestId('file-input').setInputFiles(files);
    await expect(page.getByTestId('series-item')).toContainText('300 images', { timeout: 120_000 });
    await page.getByTestId('viewer').focus();
    await page.keyboard.press('Home');
    await waitForSlice(page, 0, 300);
    await snapshot(page, 'before');

    await page.getByTestId('run-analysis').click();
    await expect(page.getByTestId('analysis-status')).toHaveText('running');
    const bar = page.locator('[role="progressbar"][aria-label="Analysed"]');
    await expect(bar).toHaveAttribute('aria-valuemax', '300');
    // Slice 1 finishes first: its overlay appears while the rest still runs.
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
    await page.getByTestId('viewer').focus(); // the Analyse button took the focus
    await page.keyboard.press('ArrowDown');
    await waitForSlice(page, 1, 300);
    await page.keyboard.press('ArrowUp');
    await waitForSlice(page, 0, 300);
    await snapshot(page, 'with-overlay');
    expect(await snapshotDiff(page, 'before', 'with-overlay')).toBeGreaterThan(0.5);
    await expect(page.getByTestId('analysis-status')).toHaveText('running');
    await expect(page.getByTestId('analysis-eta')).toContainText(/left/);
    await expect(page.getByTestId('infection-plot')).toBeVisible();

    // The viewer stays usable during the run.
    await page.keyboard.press('End');
    await waitForSlice(page, 299, 300);

    await page.getByTestId('cancel-analysis').click();
    await expect(page.getByTestId('analysis-status')).toHaveText('cancelled', { timeout: 60_000 });
    const report = JSON.parse((await page.getByTestId('report-json').textContent())!);
    expect(report.complete).toBe(false);
    expect(report.slices.length).toBeGreaterThanOrEqual(3);
    expect(report.slices.length).toBeLessThan(300);
    expect(errors).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
