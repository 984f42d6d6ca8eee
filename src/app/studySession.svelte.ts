import type { MedicalImage } from '../core/image/medicalImage.ts';
import type { IngestInput } from '../core/ingest/ingestInput.ts';
import type { IngestError } from '../core/ingest/ingestError.ts';
import type { IngestProgress } from '../core/ingest/ingest.ts';
import type { Series } from '../core/series/series.ts';
import { createDecodeClient, type DecodeClient } from '../worker/decode/decodeClient.ts';

/** Decoded slices kept around for fast scrolling; older ones are dropped first. */
const MAX_CACHED_SLICES = 64;

/**
 * Everything the user has opened in this tab: series, per-file problems and the current
 * selection. Each "open" adds to the session, so a bad drop never loses what was loaded.
 */
export class StudySession {
  series = $state<Series[]>([]);
  errors = $state<IngestError[]>([]);
  progress = $state<IngestProgress | null>(null);
  selectedKey = $state<string | null>(null);
  notice = $state<string | null>(null);

  private client: DecodeClient | null = null;
  private readonly cache = new Map<string, Promise<MedicalImage>>();

  get selected(): Series | null {
    return this.series.find((s) => s.key === this.selectedKey) ?? null;
  }

  async open(inputs: IngestInput[]): Promise<void> {
    if (inputs.length === 0) return;
    this.notice = null;
    this.progress = { done: 0, total: inputs.length, current: '' };
    try {
      const result = await this.decoder().ingest(inputs, (p) => (this.progress = p));
      const taken = new Set(this.series.map((s) => s.key));
      const added = result.series.map((s) => (taken.has(s.key) ? { ...s, key: `${s.key}#${taken.size}` } : s));
      this.series = [...this.series, ...added];
      this.errors = [...this.errors, ...result.errors];
      if (added.length > 0 && !this.selected) this.selectedKey = added[0].key;
      if (added.length === 0 && result.errors.length > 0) {
        this.notice = `None of the ${inputs.length} file(s) could be shown; see the list of problems.`;
      }
    } catch (e) {
      this.notice = `Opening failed: ${e instanceof Error ? e.message : String(e)}. What was loaded before is kept.`;
    } finally {
      this.progress = null;
    }
  }

  select(key: string): void {
    this.selectedKey = key;
  }

  /** Decodes a slice (cached). Rejections carry the DICOM error's human message. */
  loadSlice(series: Series, index: number): Promise<MedicalImage> {
    const id = `${series.key}|${index}`;
    let pending = this.cache.get(id);
    if (!pending) {
      pending = this.decoder().decode(series.slices[index]);
      pending.catch(() => this.cache.delete(id));
      this.cache.set(id, pending);
      if (this.cache.size > MAX_CACHED_SLICES) this.cache.delete(this.cache.keys().next().value!);
    }
    return pending;
  }

  clear(): void {
    this.series = [];
    this.errors = [];
    this.selectedKey = null;
    this.cache.clear();
    this.client?.terminate();
    this.client = null;
  }

  private decoder(): DecodeClient {
    this.client ??= createDecodeClient();
    return this.client;
  }
}
