/**
 * The progress line on stderr while a batch runs (only when stderr is a terminal, so logs and
 * CI output stay clean): count, rate and ETA, redrawn in place at most a few times a second.
 */

export interface BatchCounts {
  analysed: number;
  failed: number;
  skipped: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** "1,234/10,000 inputs · 3 failed · 12.5/s · ETA 11m41s" */
export function progressText(counts: BatchCounts, total: number, elapsedSeconds: number): string {
  const done = counts.analysed + counts.failed;
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const left = total - done - counts.skipped;
  const eta = rate > 0 ? formatDuration(left / rate) : '?';
  const parts = [`${(done + counts.skipped).toLocaleString('en-US')}/${total.toLocaleString('en-US')} inputs`];
  if (counts.failed) parts.push(`${counts.failed.toLocaleString('en-US')} failed`);
  if (counts.skipped) parts.push(`${counts.skipped.toLocaleString('en-US')} skipped`);
  parts.push(`${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)}/s`, `ETA ${eta}`);
  return parts.join(' · ');
}

export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

export class ProgressLine {
  private lastDraw = 0;
  private drawn = false;
  private readonly start: number;

  constructor(
    private readonly out: ProgressOutput,
    private readonly total: number,
    private readonly now: () => number = () => performance.now(),
    private readonly intervalMs = 250,
  ) {
    this.start = now();
  }

  get enabled(): boolean {
    return !!this.out.isTTY;
  }

  update(counts: BatchCounts, force = false): void {
    if (!this.enabled) return;
    const t = this.now();
    if (!force && t - this.lastDraw < this.intervalMs) return;
    this.lastDraw = t;
    this.out.write(`\r\x1b[2K${progressText(counts, this.total, (t - this.start) / 1000)}`);
    this.drawn = true;
  }

  /** Clears the line so the summary (or an error) starts at column 0. */
  finish(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }
}

/** The final summary (always printed, to stderr): "lunglens analyze: 9,998 analysed, 2 failed, 0 skipped in 13m02s". */
export function summaryText(counts: BatchCounts, elapsedSeconds: number): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return `lunglens analyze: ${n(counts.analysed)} analysed, ${n(counts.failed)} failed, ${n(counts.skipped)} skipped ` +
    `(already in the output) in ${formatDuration(elapsedSeconds)}`;
}
