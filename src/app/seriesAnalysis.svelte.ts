import { SvelteMap } from 'svelte/reactivity';
import type { AnalysisModule, AnalysisRecord, ImageMasks, ImageResult, MaskName, SliceRecord } from '../core/analyses/analysisModule.ts';
import type { MedicalImage } from '../core/image/medicalImage.ts';
import type { Series, SliceHeader } from '../core/series/series.ts';
import { LABEL_BITS, packLabelMap, type LabelMap } from '../viewer/overlays/labelMap.ts';
import type { InferenceClient } from '../worker/inference/inferenceClient.ts';
import { prepareSeriesInWorker } from '../worker/prepare/prepareClient.ts';
import { message } from './inferenceRuntime.svelte.ts';

export interface SliceResult {
  slice: SliceRecord<AnalysisRecord>;
  /** The module's overlay masks, one bit each (a quarter of the memory of separate masks). */
  labels: LabelMap;
}

/** Beyond this many slices a series is sampled (every k-th slice) to bound time and memory. */
const MAX_ANALYSED_SLICES = 600;
/**
 * Slices in flight at once: one per inference worker (a pool of up to two) plus one decoding (decode worker)
 * while they run. Results may then come back out of order.
 */
const LANES = 3;
/** During a run the series summary and report are rebuilt at most this often (they cost O(slices) each). */
const SUMMARY_EVERY_MS = 2000;

export type RunStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

/** The slices a run analyses: all, or every k-th slice of a series over MAX_ANALYSED_SLICES. */
function analysedIndices(sliceCount: number): number[] {
  const stride = strideFor(sliceCount);
  const out: number[] = [];
  for (let i = 0; i < sliceCount; i += stride) out.push(i);
  return out;
}

const strideFor = (sliceCount: number): number => Math.max(1, Math.ceil(sliceCount / MAX_ANALYSED_SLICES));

/** Runs the module's whole-series pass (or null without one); the host may start it before "Analyse". */
export type SeriesPreparer = () => Promise<unknown>;

export interface RunOptions {
  /** Series index on screen: analysed first, so its overlay appears first; the rest in series order. */
  first?: number;
  /** The whole-series pass, when the host already started it (else the run starts it). */
  prepare?: SeriesPreparer;
}

/**
 * One analysis module run over one series, slice by slice in the inference worker, publishing each result
 * as soon as it exists so overlays appear while the rest runs. Cancel stops after the slices in flight.
 */
export class SeriesAnalysis {
  status = $state<RunStatus>('idle');
  error = $state<string | null>(null);
  done = $state(0);
  total = $state(0);
  etaSeconds = $state<number | null>(null);
  /** Analyse every `stride`-th slice (1 = all). */
  stride = $state(1);
  /**
   * Bumped when the series summary and report are worth rebuilding: at most every SUMMARY_EVERY_MS while
   * running (they are O(slices): rebuilding them per slice made a 133-slice run quadratic on the main thread),
   * and at the end. Views derive the summary from this, not from `results`.
   */
  summaryVersion = $state(0);
  readonly results = new SvelteMap<number, SliceResult>();
  /** What the module's `prepareSeries` returned (null: none, or slice by slice). */
  prepared: unknown = null;
  /** While the module's whole-series pass runs: "reading slice k of n". */
  preparing = $state<string | null>(null);
  private cancelled = false;
  /** Results of the series-order sweep reach this index (the slice on screen, done first, waits for it). */
  private sweptTo = -1;

  constructor(
    readonly series: Series,
    readonly module: AnalysisModule,
    private readonly loadSlice: (index: number) => Promise<MedicalImage>,
  ) {
    this.stride = strideFor(series.slices.length);
  }

  get indices(): number[] {
    return analysedIndices(this.series.slices.length);
  }

  cancel(): void {
    this.cancelled = true;
  }

  /**
   * The module's whole-series pass over the slices this run analyses (null when it has none). In a worker of
   * its own when the module can rebuild its result there (`restorePrepared`): it reads every slice and its
   * 3-D steps take seconds, which would block the page.
   */
  prepareSeries(onRead?: (done: number, total: number) => void): Promise<unknown> {
    if (!this.module.prepareSeries) return Promise.resolve(null);
    // Plain copies: the series comes from reactive state, and what the module keeps of the headers is posted to a worker.
    const headers = $state.snapshot(this.series.slices.map((s) => s.header)) as SliceHeader[];
    if (this.module.restorePrepared && typeof Worker !== 'undefined') {
      return prepareSeriesInWorker(this.series, headers, this.module, this.indices, onRead);
    }
    return this.module.prepareSeries({ headers, indices: this.indices, load: (index) => this.loadSlice(index), onRead });
  }

  async run(client: Pick<InferenceClient, 'runAnalysis'>, opts: RunOptions = {}): Promise<void> {
    const indices = this.indices;
    this.status = 'running';
    this.error = null;
    this.cancelled = false;
    this.results.clear();
    this.done = 0;
    this.total = indices.length;
    this.prepared = null;
    this.sweptTo = -1;
    mark('analysis-start');
    try {
      this.prepared = await (opts.prepare ?? (() => this.prepareSeries((done, total) => (this.preparing = `reading slice ${done} of ${total} for the whole-series lungs`))))();
      this.preparing = null;
      mark('prepared');
      const first = opts.first !== undefined && indices.includes(opts.first) ? opts.first : undefined;
      const order = first === undefined ? indices : [first, ...indices.filter((i) => i !== first)];
      const started = performance.now();
      let lastSummary = started;
      let cursor = 0;
      // the sweep covers the slices done without a gap in series order (the summary tracks lesions incrementally)
      const sweep = order.filter((i) => i !== first);
      let swept = 0;
      // LANES loops share one cursor
      const lane = async (): Promise<void> => {
        while (cursor < order.length && !this.cancelled) {
          const index = order[cursor++];
          const image = await this.loadSlice(index);
          const slice = this.prepared === null ? undefined : this.module.sliceContext?.(this.prepared, index);
          const out = await client.runAnalysis<ImageResult<AnalysisRecord>>(this.module.id, image, slice);
          this.results.set(index, this.sliceResult(index, image, out));
          if (this.done === 0) mark('first-result');
          while (swept < sweep.length && this.results.has(sweep[swept])) this.sweptTo = sweep[swept++];
          this.done++;
          // the summary's lesion tracking takes this slice now, in a task of its own (small), not at the next refresh
          if (this.module.summarize) setTimeout(() => this.summary(), 0);
          const now = performance.now();
          this.etaSeconds = ((this.total - this.done) * (now - started)) / this.done / 1000;
          if (now - lastSummary >= SUMMARY_EVERY_MS) {
            lastSummary = now;
            this.summaryVersion++;
          }
        }
      };
      await Promise.all(Array.from({ length: LANES }, lane));
      this.sweptTo = Infinity;
      this.status = this.cancelled ? 'cancelled' : 'done';
      if (!this.cancelled) mark('analysis-done');
    } catch (e) {
      this.cancelled = true; // the other lane stops after its slice
      this.status = 'error';
      this.error = message(e);
    } finally {
      this.sweptTo = Infinity;
      this.etaSeconds = null;
      this.preparing = null;
      this.summaryVersion++;
    }
  }

  /** Slice records in series order (what the report, the CSV and the plot use). */
  records(): SliceRecord<AnalysisRecord>[] {
    return [...this.results.values()].map((r) => r.slice).sort((a, b) => a.index - b.index);
  }

  /**
   * The module's series summary over the slices analysed so far (null without `summarize`). While running,
   * over the series-order sweep only: the slice on screen, done first, joins when the sweep reaches it, so
   * the summary's lesion tracking stays incremental (in series order) instead of restarting.
   */
  summary(): unknown {
    return this.module.summarize?.({
      slices: this.records().filter((r) => r.index <= this.sweptTo),
      headers: this.series.slices.map((s) => s.header),
      stride: this.stride,
      masks: (index) => this.masks(index),
      prepared: this.prepared ?? undefined,
    }) ?? null;
  }

  /** The overlay masks of an analysed slice (unpacked from its label map). */
  masks(index: number): ImageMasks | undefined {
    const labels = this.results.get(index)?.labels;
    return labels && masksOf(labels, this.module.overlays.masks);
  }

  private sliceResult(index: number, image: MedicalImage, out: ImageResult<AnalysisRecord>): SliceResult {
    const masks: Partial<Record<MaskName, Uint8Array>> = {};
    for (const name of this.module.overlays.masks) masks[name] = out.masks[name]?.data;
    return {
      slice: {
        index,
        sopInstanceUID: image.sopInstanceUID,
        frame: image.numberOfFrames > 1 ? image.frameIndex : undefined,
        record: out.record,
      },
      labels: packLabelMap(image.rows, image.columns, masks),
    };
  }
}

/** User Timing marks (`lunglens:<name>`): the benchmarks read them; DevTools shows them on the timeline. */
function mark(name: string): void {
  performance.mark(`lunglens:${name}`);
}

/** The masks back out of a label map, each unpacked when first read (a summary reads two of four). */
function masksOf(labels: LabelMap, names: readonly MaskName[]): ImageMasks {
  const out: ImageMasks = {};
  for (const name of names) {
    let mask: ImageMasks[MaskName];
    Object.defineProperty(out, name, {
      enumerable: true,
      get: () => (mask ??= unpack(labels, LABEL_BITS[name])),
    });
  }
  return out;
}

function unpack(labels: LabelMap, bit: number): NonNullable<ImageMasks[MaskName]> {
  const data = new Uint8Array(labels.data.length);
  for (let i = 0; i < data.length; i++) data[i] = labels.data[i] & bit ? 1 : 0;
  return { rows: labels.rows, columns: labels.columns, data };
}
