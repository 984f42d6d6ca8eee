import { expect, type Page } from '@playwright/test';
import { waitForSlice } from './app.ts';

/** Clicks every series and steps through every slice (Home, then ArrowDown); returns the slices shown. */
export async function viewAllSeries(page: Page): Promise<number> {
  const items = page.getByTestId('series-item');
  const n = await items.count();
  expect(n, 'at least one series was loaded').toBeGreaterThan(0);
  let shown = 0;
  for (let s = 0; s < n; s++) {
    await items.nth(s).click();
    const count = Number((await page.getByTestId('slice-indicator').textContent())!.split('/')[1]);
    await page.getByTestId('viewer').focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < count; i++) {
      if (i > 0) await page.keyboard.press('ArrowDown');
      await waitForSlice(page, i, count);
      shown++;
    }
  }
  return shown;
}
