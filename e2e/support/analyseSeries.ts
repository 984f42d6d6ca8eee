import { expect, type Page } from '@playwright/test';

export interface AnalysisWalk {
  /** Series whose analysis ran to `done`. */
  analysed: number;
  /** Series with no runnable analysis (button disabled, e.g. models not installed), with the reason shown. */
  skipped: string[];
  /** Download URLs of every export (JSON, CSV, PNG) of every analysed series. */
  downloads: string[];
}

/**
 * For each series (or the first `limit` whose list entry matches `match`): run its analysis if the
 * button is enabled, wait for `done`, then click every enabled export button and collect the downloads.
 */
export async function analyseSeries(page: Page, limit = Infinity, match?: RegExp): Promise<AnalysisWalk> {
  const walk: AnalysisWalk = { analysed: 0, skipped: [], downloads: [] };
  const items = page.getByTestId('series-item');
  const n = await items.count();
  for (let s = 0; s < n && walk.analysed < limit; s++) {
    if (match && !match.test((await items.nth(s).textContent()) ?? '')) continue;
    await items.nth(s).click();
    const run = page.getByTestId('run-analysis');
    if ((await run.count()) === 0 || !(await run.isEnabled())) {
      walk.skipped.push(`series ${s}: ${(await page.getByRole('region', { name: 'Analysis' }).textContent())?.trim() ?? 'no analysis UI'}`);
      continue;
    }
    await run.click();
    const status = page.getByTestId('analysis-status');
    await expect(status).toHaveText(/^(done|error: .*)$/, { timeout: 300_000 });
    await expect(status).toHaveText('done');
    walk.analysed++;
    for (const button of await page.locator('[data-testid^="export-"]').all()) {
      if (!(await button.isEnabled())) continue;
      const download = page.waitForEvent('download');
      await button.click();
      walk.downloads.push((await download).url());
    }
  }
  return walk;
}
