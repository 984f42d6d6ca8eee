import { expect, type Page } from '@playwright/test';

/** Fails the test on anything the page throws or logs as an error. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  return errors;
}

export async function openFiles(page: Page, paths: string[]): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(paths);
  await expect(page.getByTestId('load-progress')).toHaveCount(0, { timeout: 120_000 });
}

/** Waits until the viewer shows slice `index` (0-based) of `count`. */
export async function waitForSlice(page: Page, index: number, count: number): Promise<void> {
  await expect(page.getByTestId('slice-indicator')).toHaveText(`${index + 1}/${count}`);
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-shown-slice', String(index));
}

export interface CanvasStats {
  mean: number;
  std: number;
  width: number;
  height: number;
}

/** Luminance statistics of the viewer canvas, optionally of a sub-rectangle (fractions of the canvas). */
export function canvasStats(page: Page, rect = { x0: 0, y0: 0, x1: 1, y1: 1 }): Promise<CanvasStats> {
  return page.evaluate((r) => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewer"] canvas')!;
    const ctx = canvas.getContext('2d')!;
    const x = Math.floor(r.x0 * canvas.width);
    const y = Math.floor(r.y0 * canvas.height);
    const w = Math.max(1, Math.floor((r.x1 - r.x0) * canvas.width));
    const h = Math.max(1, Math.floor((r.y1 - r.y0) * canvas.height));
    const d = ctx.getImageData(x, y, w, h).data;
    let sum = 0;
    let sum2 = 0;
    const n = d.length / 4;
    for (let i = 0; i < d.length; i += 4) {
      const l = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      sum += l;
      sum2 += l * l;
    }
    const mean = sum / n;
    return { mean, std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)), width: canvas.width, height: canvas.height };
  }, rect);
}

/** Raw RGBA bytes of the viewer canvas (for before/after comparisons). */
export function canvasPixels(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewer"] canvas')!;
    return Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data);
  });
}

export function meanAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}
