/**
 * The one interface every analysis implements (CT, CXR, and whatever comes next). An analysis is a
 * folder under `src/core/analyses/<id>/` exporting one `AnalysisModule` from its `index.ts`, plus one
 * line in `registry.ts`. The worker, the CLI, the JSON report, the CSV, the exports and the analysis
 * panel all read modules from the registry and never branch on which analysis it is.
 *
 * Everything here is DOM-free: modules run in the inference worker and in the Node CLI. The panel's
 * view of a module (`Results.svelte` in the same folder) is found by the UI, see `src/ui/analysis/`.
 */
import type { MedicalImage } from '../image/medicalImage.ts';
import type { ModelSession } from '../runtime/session.ts';
import type { SliceHeader } from '../series/series.ts';

/** What an analysis needs from its host (inference worker or CLI): sessions by model id. */
export interface AnalysisContext {
  /** The session that runs when `modelId` is asked for (a variant the user chose, maybe): its `entry` says how to feed it. */
  getSession(modelId: string): Promise<ModelSession>;
}

/** The class of image an analysis reads; DICOM says it, PNG/JPEG need the user's (or `--modality`) answer. */
export type ImageModality = 'ct' | 'cxr';

/** Enough to decide whether a module applies: a MedicalImage and a series' SliceHeader both fit. */
export interface ImageFacts {
  kind: string;
  /** DICOM Modality ('' for PNG/JPEG). */
  modality: string;
}

/** A binary mask at the *input image's* size (rows x columns), 0 or 1 per pixel. */
export interface ImageMask {
  rows: number;
  columns: number;
  data: Uint8Array;
}

/** Mask names the overlay knows how to paint (one bit each in the viewer's label map). */
export type MaskName = 'lung' | 'lesion' | 'ggo' | 'consolidation';
export type ImageMasks = Partial<Record<MaskName, ImageMask>>;

/** Which model (and version) produced a number. */
export interface ModelRef {
  id: string;
  version?: string;
}

/** What every record has; each module extends it with its own typed fields. */
export interface AnalysisRecord {
  models: ModelRef[];
  warning?: string;
}

/** One image analysed: the record (`lunglens analyze --json` prints it) and masks at the image's size. */
export interface ImageResult<R extends AnalysisRecord> {
  record: R;
  masks: ImageMasks;
}

/** One analysed image of a series. */
export interface SliceRecord<R> {
  /** Position in the sorted series (0-based). */
  index: number;
  sopInstanceUID?: string;
  frame?: number;
  record: R;
}

/** A series as `prepareSeries` sees it: headers, the slices the host will analyse, and their pixels. */
export interface SeriesSource {
  headers: readonly SliceHeader[];
  /** Series indices to be analysed, ascending. */
  indices: readonly number[];
  load(index: number): Promise<MedicalImage>;
  onRead?(done: number, total: number): void;
}

/** What `summarize` sees of a series (the app's run, or the CLI's series mode). */
export interface SeriesInput<R> {
  /** Analysed slices in series order. */
  slices: readonly SliceRecord<R>[];
  /** Header of every slice of the series, in series order (geometry, UIDs). */
  headers: readonly SliceHeader[];
  /** Every `stride`-th slice was analysed (1 = all): each record stands for `stride` slices. */
  stride: number;
  /** Masks of an analysed slice by series index, when the host kept them. */
  masks?(index: number): ImageMasks | undefined;
  /** What `prepareSeries` returned, when the module has it and the host ran it. */
  prepared?: unknown;
}

/** One CSV column over analysed slices. */
export interface CsvColumn<R> {
  header: string;
  value(slice: SliceRecord<R>): string | number | null | undefined;
}

/** Legend colours the overlay style defines. */
export type OverlayColor = 'lung' | 'lesion' | 'ggo' | 'consolidation' | 'box';

/** What the overlay shows for this analysis: which masks are painted, and the legend. */
export interface OverlaySpec {
  masks: readonly MaskName[];
  legend: readonly { label: string; color: OverlayColor; outline?: boolean }[];
}

/** A file an export produces (saved by the browser, written by the CLI). */
export interface ExportFile {
  /** File name without directory, e.g. `<series>.seg.dcm`. */
  name: string;
  mediaType: string;
  bytes: Uint8Array;
}

/** What an export gets: the series input, the summary, the series' identity and its images on demand. */
export interface ExportInput<R, S> extends SeriesInput<R> {
  summary: S | null;
  series: { studyInstanceUID?: string; seriesInstanceUID?: string; modality: string; description?: string };
  /** Decodes slice `index` of the series again (pixels + full header facts). */
  image(index: number): Promise<MedicalImage>;
  /** The source file of slice `index` (DICOM Part 10 bytes), for exports that copy its patient/study header (SEG, SR). */
  file?(index: number): Promise<Uint8Array>;
}

/** One way to export an analysed series (DICOM SEG / SR, NIfTI, ...): a button in the panel, a CLI option. */
export interface AnalysisExport<R, S> {
  id: string;
  label: string;
  /** Whether it can export this series at all (e.g. DICOM SEG needs single-frame DICOM with geometry). Absent = always. */
  accepts?(headers: readonly SliceHeader[]): boolean;
  /** After the analysis: why there is nothing to export (e.g. no slice was assessed), or null. Absent = always available. */
  unavailable?(input: SeriesInput<R>): string | null;
  build(input: ExportInput<R, S>): Promise<ExportFile[]>;
}

/**
 * An analysis. `R` is its per-image record, `S` its series summary. Methods (not arrow properties) keep
 * `AnalysisModule<CtRecord, CtStudySummary>` assignable to the registry's `AnalysisModule`.
 */
export interface AnalysisModule<R extends AnalysisRecord = AnalysisRecord, S = unknown> {
  /** Stable id: the folder name, the worker's `runAnalysis` id, the report's `analysis`. */
  id: string;
  modality: ImageModality;
  /** One line for the panel: what it computes. */
  label: string;
  /** Manifest ids of the models it asks for (the host may run a variant of each). */
  models: readonly string[];
  /** Extra conditions beyond the modality (e.g. needs Hounsfield units: DICOM only). Absent = every image of the modality. */
  accepts?(image: ImageFacts): boolean;
  /** `slice`: what `sliceContext` gave for this image's slice, when the host ran `prepareSeries`. */
  analyze(image: MedicalImage, ctx: AnalysisContext, slice?: unknown): Promise<ImageResult<R>>;
  /**
   * Optional whole-series pass before the slices (CT: the 3-D lungs every slice's crop comes from). The host
   * keeps the result (null: analyse slice by slice) and passes it to `sliceContext` and `summarize`.
   */
  prepareSeries?(series: SeriesSource): Promise<unknown>;
  /**
   * The preparation rebuilt from its structured clone (function-valued fields dropped), so a host may run
   * `prepareSeries` in a worker (the app does: it is whole-series work). Absent: the host runs it in place.
   */
  restorePrepared?(data: unknown): unknown;
  /** What slice `index` needs of the preparation, handed to `analyze` with its image (structured-cloneable). */
  sliceContext?(prepared: unknown, index: number): unknown;
  /** Series-level numbers from the analysed slices (null when there is nothing to say). */
  summarize?(series: SeriesInput<R>): S | null;
  csvColumns(slices: readonly SliceRecord<R>[]): CsvColumn<R>[];
  overlays: OverlaySpec;
  exports?: readonly AnalysisExport<R, S>[];
  /** The CLI's text line for one image (after `<file>: `). */
  describe(record: R): string;
}
