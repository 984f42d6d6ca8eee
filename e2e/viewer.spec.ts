import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { afterRepaint, canvasStats, collectPageErrors, openFiles, snapshot, snapshotDiff, waitForSlice } from './support/app.ts';
import { imageSamples } from './support/dicomSamples.ts';
import { dicomSamples } from './support/paths.ts';

const allSampleFiles = (): string[] =>
  fs.readdirSync(dicomSamples, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));

test('every real sample image renders; non-image files are named, not fatal', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto('/');
  const files = allSampleFiles();
  await openFiles(page, files);

  const images = imageSamples();
  const expectedFrames = images.reduce((n, r) => n + r.frames, 0);
  const items = page.getByTestId('series-item');
  const seriesCount = await items.count();
  expect(seriesCount).toBeGreaterThan(3);

  // Every non-image file (README, JSON, CSV notes) is listed as "not DICOM" by name.
  const nonImages = files.filter((f) => !f.endsWith('.dcm'));
  const problems = page.getByTestId('load-error');
  await expect(problems).toHaveCount(nonImages.length);
  await expect(problems.and(page.locator('[data-code="not-dicom"]'))).toHaveCount(nonImages.length);
  for (const name of new Set(nonImages.map((f) => path.basename(f)))) {
    const copies = nonImages.filter((f) => path.basename(f) === name).length;
    await expect(problems.filter({ hasText: name })).toHaveCount(copies);
  }

  let framesSeen = 0;
  for (let s = 0; s < seriesCount; s++) {
    await items.nth(s).click();
    const indicator = await page.getByTestId('slice-indicator').textContent();
    const count = Number(indicator!.split('/')[1]);
    await page.getByTestId('viewer').focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < count; i++) {
      if (i > 0) await page.keyboard.press('ArrowDown');
      await waitForSlice(page, i, count);
      const stats = await canvasStats(page);
      expect(stats.std, `series ${s} slice ${i} should show an image, not a flat canvas`).toBeGreaterThan(4);
      framesSeen++;
    }
  }
  expect(framesSeen).toBe(expectedFrames);
  expect(errors).toEqual([]);
});

test('window presets and slice scrolling change the pixels on screen', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto('/');
  await openFiles(page, [
    path.join(dicomSamples, 'multiframe-encapsulated/CT0012.explicit_little_endian.dcm'),
  ]);
  await expect(page.getByTestId('series-item')).toHaveCount(1);
  await waitForSlice(page, 0, 2);
  await snapshot(page, 'first');

  await page.getByTestId('viewer').focus();
  await page.keyboard.press('ArrowDown');
  await waitForSlice(page, 1, 2);
  await snapshot(page, 'second');
  expect(await snapshotDiff(page, 'first', 'second')).toBeGreaterThan(1);

  // Wheel scrolls back.
  await page.getByTestId('viewer').hover();
  await page.mouse.wheel(0, -100);
  await waitForSlice(page, 0, 2);
  await snapshot(page, 'back');
  expect(await snapshotDiff(page, 'first', 'back')).toBeLessThan(0.5);

  const readout = page.getByTestId('window-readout');
  await page.getByTestId('window-preset').selectOption('lung');
  await expect(readout).toContainText('W 1500 / L -600');
  await snapshot(page, 'lung');
  expect(await snapshotDiff(page, 'first', 'lung')).toBeGreaterThan(2);

  await page.getByTestId('window-preset').selectOption('mediastinum');
  await expect(readout).toContainText('W 400 / L 40');
  await snapshot(page, 'mediastinum');
  expect(await snapshotDiff(page, 'lung', 'mediastinum')).toBeGreaterThan(2);

  // Dragging changes the window too.
  const box = (await page.getByTestId('viewer').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 40, { steps: 4 });
  await page.mouse.up();
  await expect(readout).not.toContainText('W 400 / L 40');

  await snapshot(page, 'dragged');
  await afterRepaint(page, () => page.getByTestId('invert').click());
  await snapshot(page, 'inverted');
  expect(await snapshotDiff(page, 'dragged', 'inverted')).toBeGreaterThan(20);
  expect(errors).toEqual([]);
});

test('MONOCHROME1 radiograph is shown with air dark (lungs darker than mediastinum)', async ({ page }) => {
  await page.goto('/');
  await openFiles(page, [path.join(dicomSamples, 'cr-dx-chest/gdcm-CR-MONO1-10-chest.dcm')]);
  await waitForSlice(page, 0, 1);
  const { width, height } = await canvasStats(page);
  // The 440x440 image is fitted and centred: work in image fractions mapped to the canvas.
  const side = Math.min(width, height);
  const left = (width - side) / 2 / width;
  const top = (height - side) / 2 / height;
  const band = (u0: number, u1: number) =>
    canvasStats(page, { x0: left + (u0 * side) / width, x1: left + (u1 * side) / width, y0: top + (0.25 * side) / height, y1: top + (0.75 * side) / height });
  const rightLung = await band(1 / 8, 3 / 8);
  const mediastinum = await band(3 / 8, 5 / 8);
  const leftLung = await band(5 / 8, 7 / 8);
  expect(rightLung.mean).toBeLessThan(mediastinum.mean - 10);
  expect(leftLung.mean).toBeLessThan(mediastinum.mean - 10);
});
