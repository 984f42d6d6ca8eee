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

/** Runs `action` and waits until the viewer has repainted after it (renders are asynchronous). */
export async function afterRepaint(page: Page, action: () => Promise<unknown>): Promise<void> {
  const viewer = page.getByTestId('viewer');
  const before = Number(await viewer.getAttribute('data-render-count'));
  await action();
  await expect.poll(async () => Number(await viewer.getAttribute('data-render-count'))).toBeGreaterThan(before);
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

/** Keeps a copy of the viewer canvas in the page under `name` (pixels never cross to Node: too slow). */
export async function snapshot(page: Page, name: string): Promise<void> {
  await page.evaluate((n) => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewer"] canvas')!;
    const w = window as unknown as { __snaps?: Record<string, Uint8ClampedArray> };
    w.__snaps ??= {};
    w.__snaps[n] = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  }, name);
}

/** Mean absolute difference per channel between two snapshots (0–255). */
export function snapshotDiff(page: Page, a: string, b: string): Promise<number> {
  return page.evaluate(([x, y]) => {
    const snaps = (window as unknown as { __snaps: Record<string, Uint8ClampedArray> }).__snaps;
    const p = snaps[x];
    const q = snaps[y];
    if (p.length !== q.length) throw new Error(`snapshots ${x} and ${y} differ in size`);
    let s = 0;
    for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - q[i]);
    return s / p.length;
  }, [a, b] as const);
}
