import { SvelteMap } from 'svelte/reactivity';
import type { ImageMask } from '../core/analyses/analysis.ts';
import type { MedicalImage } from '../core/image/medicalImage.ts';
import type { AnalysisKind, CtRecord, CxrRecord, SliceRecord } from '../core/report/analysisRecords.ts';
import type { Series } from '../core/series/series.ts';
import { packLabelMap, type LabelMap } from '../viewer/overlays/labelMap.ts';
import type { InferenceClient } from '../worker/inference/inferenceClient.ts';
import { message } from './inferenceRuntime.svelte.ts';

/** What the per-modality analyses return from the worker: the CLI's record plus masks. */
export interface ImageAnalysisOutput {
  record: CtRecord | CxrRecord;
  masks: Partial<Record<'lesion' | 'lung' | 'ggo' | 'consolidation', ImageMask>>;
}

export interface SliceResult {
  slice: SliceRecord<CtRecord | CxrRecord>;
  labels: LabelMap;
}

/** Beyond this many slices a series is sampled (every k-th slice) to bound time and memory. */
export const MAX_ANALYSED_SLICES = 600;

export type RunStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

/**
 * One analysis run over one series, slice by slice, publishing each result as soon as it
 * exists so overlays appear while the rest runs. Cancel stops after the current slice.
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

  private cancelled = false;

  constructor(
    readonly series: Series,
    readonly kind: AnalysisKind,
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
    const started = performance.now();
    try {
      for (const index of indices) {
        if (this.cancelled) {
          this.status = 'cancelled';
          return;
        }
        const image = await this.loadSlice(index);
        const out = await client.runAnalysis<ImageAnalysisOutput>(`${this.kind}-report`, image);
        this.results.set(index, toSliceResult(index, image, out));
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
    }
  }

  /** Slice records in series order (what the report and the plot use). */
  records(): SliceRecord<CtRecord | CxrRecord>[] {
    return [...this.results.values()].map((r) => r.slice).sort((a, b) => a.index - b.index);
  }
}

function toSliceResult(index: number, image: MedicalImage, out: ImageAnalysisOutput): SliceResult {
  const m = out.masks;
  return {
    slice: {
      index,
      sopInstanceUID: image.sopInstanceUID,
      frame: image.numberOfFrames > 1 ? image.frameIndex : undefined,
      record: out.record,
    },
    labels: packLabelMap(image.rows, image.columns, {
      lung: m.lung?.data,
      lesion: m.lesion?.data,
      ggo: m.ggo?.data,
      consolidation: m.consolidation?.data,
    }),
  };
}
