import { readFile } from 'node:fs/promises';
import type { AnalysisModule, AnalysisRecord, ExportFile, ExportInput, ImageMasks, SliceRecord } from '../../core/analyses/analysisModule.ts';
import type { MedicalImage } from '../../core/image/medicalImage.ts';
import { ingest } from '../../core/ingest/ingest.ts';
import { inputsFromPaths } from '../../core/ingest/nodeInputs.ts';
import { loadImages } from '../../core/ingest/loadImages.ts';
import type { Series } from '../../core/series/series.ts';

/** What the collector keeps of one analysed image (masks included: the exports need them). */
export interface AnalysedImage {
  file: string;
  image: MedicalImage;
  module: AnalysisModule;
  record: AnalysisRecord;
  masks: ImageMasks;
}

/** One export of one series: the module's export id and the files it produced. */
export interface SeriesExport {
  seriesInstanceUID: string;
  exportId: string;
  files: ExportFile[];
  /** Why nothing was written for this series (e.g. no slice assessed); `files` is then empty. */
  unavailable?: string;
}

const key = (file: string, frame: number, module: string) => `${module}\u0000${frame}\u0000${file}`;

/**
 * Gathers a run's analysed images, then regroups them into series (sorted as the app sorts) and runs
 * the modules' own exports on each — the same builders as the app's export buttons.
 */
export class SeriesExportCollector {
  private readonly images = new Map<string, AnalysedImage>();
  private readonly summaries = new Map<string, unknown>();

  add(item: AnalysedImage): void {
    this.images.set(key(item.file, item.image.frameIndex, item.module.id), item);
  }

  /** The summary the run printed for a series (whole-series analysis): exports state exactly that. */
  setSummary(seriesInstanceUID: string, summary: unknown): void {
    this.summaries.set(seriesInstanceUID, summary);
  }

  /** Runs export `exportId` (e.g. "dicom", "nifti") of every module on every analysed series that has it. */
  async build(exportIds: readonly string[]): Promise<SeriesExport[]> {
    if (this.images.size === 0 || exportIds.length === 0) return [];
    const files = [...new Set([...this.images.values()].map((i) => i.file))];
    const { series } = await ingest(await inputsFromPaths(files));
    const modules = new Map([...this.images.values()].map((i) => [i.module.id, i.module]));
    const out: SeriesExport[] = [];
    for (const s of series) {
      for (const module of modules.values()) {
        const input = this.exportInput(s, module);
        if (!input) continue;
        for (const id of exportIds) {
          const exporter = module.exports?.find((e) => e.id === id);
          if (!exporter || !(exporter.accepts?.(input.headers) ?? true)) continue;
          const head = { seriesInstanceUID: s.seriesInstanceUID, exportId: id };
          const why = exporter.unavailable?.(input);
          out.push(why ? { ...head, files: [], unavailable: why } : { ...head, files: await exporter.build(input) });
        }
      }
    }
    return out;
  }

  private exportInput(s: Series, module: AnalysisModule): ExportInput<AnalysisRecord, unknown> | null {
    const analysed = s.slices.map((slice) => this.images.get(key(slice.input.name, slice.frameIndex, module.id)));
    if (!analysed.some(Boolean)) return null;
    const slices: SliceRecord<AnalysisRecord>[] = [];
    analysed.forEach((a, index) => {
      if (a) slices.push({ index, sopInstanceUID: s.slices[index].header.sopInstanceUID, frame: a.image.numberOfFrames > 1 ? a.image.frameIndex : undefined, record: a.record });
    });
    const headers = s.slices.map((x) => x.header);
    const masks = (index: number) => analysed[index]?.masks;
    return {
      slices,
      headers,
      stride: 1,
      masks,
      summary: this.summaries.get(s.seriesInstanceUID) ?? module.summarize?.({ slices, headers, stride: 1, masks }) ?? null,
      series: { studyInstanceUID: s.studyInstanceUID, seriesInstanceUID: s.seriesInstanceUID, modality: s.modality, description: s.description },
      image: async (index) => {
        const slice = s.slices[index];
        for await (const image of loadImages(new Uint8Array(await readFile(slice.input.name)), slice.input.name, [slice.frameIndex])) return image;
        throw new Error(`slice ${index + 1} has no image`);
      },
      file: async (index) => new Uint8Array(await readFile(s.slices[index].input.name)),
    };
  }
}
