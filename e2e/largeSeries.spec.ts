import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { collectPageErrors, waitForSlice } from './support/app.ts';
import { writeSyntheticSeries } from './support/syntheticSeries.ts';

test('a 1,000-file series loads with a progress indicator and scrolls end to end', async ({ page }) => {
  const errors = collectPageErrors(page);
  const { dir, files } = writeSyntheticSeries(1000);
  try {
    await page.goto('/');
    // Record every progress value the page shows while loading.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { __progressSeen: number[] }).__progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid="load-progress"] [role="progressbar"]');
        const v = bar?.getAttribute('aria-valuenow');
        if (v !== null && v !== undefined) seen.push(Number(v));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByTestId('file-input').setInputFiles(files);
    await expect(page.getByTestId('series-item')).toHaveCount(1, { timeout: 120_000 });
    const seen = await page.evaluate(() => (window as unknown as { __progressSeen: number[] }).__progressSeen);
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.max(...seen)).toBeGreaterThan(0);

    await expect(page.getByTestId('series-item')).toContainText('1000 images');
    await page.getByTestId('viewer').focus();
    await page.keyboard.press('Home');
    await waitForSlice(page, 0, 1000);
    await page.keyboard.press('End');
    await waitForSlice(page, 999, 1000);
    await page.keyboard.press('PageUp');
    await waitForSlice(page, 989, 1000);
    expect(errors).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
