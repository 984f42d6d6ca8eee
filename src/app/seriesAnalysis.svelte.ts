import { SvelteMap } from 'svelte/reactivity';
import type { AnalysisModule, AnalysisRecord, ImageMasks, ImageResult, MaskName, SliceRecord } from '../core/analyses/analysisModule.ts';
import type { MedicalImage } from '../core/image/medicalImage.ts';
import type { Series } from '../core/series/series.ts';
import { LABEL_BITS, packLabelMap, type LabelMap } from '../viewer/overlays/labelMap.ts';
import type { InferenceClient } from '../worker/inference/inferenceClient.ts';
import { message } from './inferenceRuntime.svelte.ts';

export interface SliceResult {
  slice: SliceRecord<AnalysisRecord>;
  /** The module's overlay masks, one bit each (a quarter of the memory of separate masks). */
  labels: LabelMap;
}

/** Beyond this many slices a series is sampled (every k-th slice) to bound time and memory. */
const MAX_ANALYSED_SLICES = 600;

export type RunStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

/**
 * One analysis module run over one series, slice by slice in the inference worker, publishing each result
 * as soon as it exists so overlays appear while the rest runs. Cancel stops after the current slice.
 */
export class SeriesAnalysis {
  status = $state<RunStatus>('idle');
  error = $state<string | null>(null);
  done = $state(0);
  total = $state(0);
  etaSeconds = $state<number | null>(null);
  /** Analyse every `stride`-th slice (1 = all). */
  stride = $state(1);
  readonly results = new SvelteMap<number, SliceResult>();
  /** What the module's `prepareSeries` returned (null: none, or slice by slice). */
  prepared: unknown = null;
  /** While the module's whole-series pass runs: "reading slice k of n". */
  preparing = $state<string | null>(null);
  private cancelled = false;

  constructor(
    readonly series: Series,
    readonly module: AnalysisModule,
    private readonly loadSlice: (index: number) => Promise<MedicalImage>,
  ) {
    this.stride = Math.max(1, Math.ceil(series.slices.length / MAX_ANALYSED_SLICES));
  }

  get indices(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.series.slices.length; i += this.stride) out.push(i);
    return out;
  }

  cancel(): void {
    this.cancelled = true;
  }

  async run(client: InferenceClient): Promise<void> {
    const indices = this.indices;
    this.status = 'running';
    this.error = null;
    this.cancelled = false;
    this.results.clear();
    this.done = 0;
    this.total = indices.length;
    this.prepared = null;
    try {
      if (this.module.prepareSeries) {
        this.prepared = await this.module.prepareSeries({
          // Plain copies: the series comes from reactive state, and what the module keeps of the headers is posted to the worker.
          headers: $state.snapshot(this.series.slices.map((s) => s.header)),
          indices,
          load: (index) => this.loadSlice(index),
          onRead: (done, total) => (this.preparing = `reading slice ${done} of ${total} for the whole-series lungs`),
        });
        this.preparing = null;
      }
      const started = performance.now();
      for (const index of indices) {
        if (this.cancelled) {
          this.status = 'cancelled';
          return;
        }
        const image = await this.loadSlice(index);
        const slice = this.prepared === null ? undefined : this.module.sliceContext?.(this.prepared, index);
        const out = await client.runAnalysis<ImageResult<AnalysisRecord>>(this.module.id, image, slice);
        this.results.set(index, this.sliceResult(index, image, out));
        this.done++;
        const perSlice = (performance.now() - started) / this.done;
        this.etaSeconds = ((this.total - this.done) * perSlice) / 1000;
      }
      this.status = 'done';
    } catch (e) {
      this.status = 'error';
      this.error = message(e);
    } finally {
      this.etaSeconds = null;
      this.preparing = null;
    }
  }

  /** Slice records in series order (what the report, the CSV and the plot use). */
  records(): SliceRecord<AnalysisRecord>[] {
    return [...this.results.values()].map((r) => r.slice).sort((a, b) => a.index - b.index);
  }

  /** The module's series summary over the slices analysed so far (null without `summarize`). */
  summary(): unknown {
    return this.module.summarize?.({
      slices: this.records(),
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

/** The masks back out of a label map. */
function masksOf(labels: LabelMap, names: readonly MaskName[]): ImageMasks {
  const out: ImageMasks = {};
  for (const name of names) {
    const bit = LABEL_BITS[name];
    const data = new Uint8Array(labels.data.length);
    for (let i = 0; i < data.length; i++) data[i] = labels.data[i] & bit ? 1 : 0;
    out[name] = { rows: labels.rows, columns: labels.columns, data };
  }
  return out;
}
