/**
 * `lunglens analyze` over files and folders, grouped into series exactly as the app groups them (ingest:
 * headers only, Series Instance UID + size, sorted along the normal). A module with a whole-series step
 * (`prepareSeries`: CT) analyses each of its series as one: one series record
 * `{series, modality, files, summary}` first, then the slices' records (unless --series-only). Every other
 * image -- PNG/JPEG, radiographs, single slices, localizers -- goes through the per-file path as before, and a
 * CT series of several images that is not analysed as a whole gets a series record naming the reason.
 * Items come out in the order the inputs were given (a series at its first file).
 */
import { stat } from 'node:fs/promises';
import type { AnalysisContext, AnalysisModule, AnalysisRecord, ImageMasks, ImageModality, SliceRecord } from '../../core/analyses/analysisModule.ts';
import { analysesFor, modalityOf } from '../../core/analyses/registry.ts';
import { ingest } from '../../core/ingest/ingest.ts';
import { inputsFromPaths } from '../../core/ingest/nodeInputs.ts';
import { classifyCtSeries, type SeriesVerdict } from '../../core/series/classifySeries.ts';
import { decodeSlice } from '../../core/series/decodeSlice.ts';
import type { Series } from '../../core/series/series.ts';

/** The series record as printed. */
export interface SeriesRecord {
  series: string;
  modality: ImageModality;
  files: number;
  summary?: unknown;
  /** Why the series was not analysed as a whole (its images may still have per-file records). */
  notAnalysed?: string;
  warnings?: string[];
}

export interface GroupedHooks<T> {
  /** Per-file path (the existing `analyzeFile`). */
  perFile(file: string): AsyncGenerator<T>;
  /** Printed record of one slice analysed within its series. */
  sliceItem(file: string, image: Awaited<ReturnType<typeof decodeSlice>>, module: AnalysisModule, result: { record: AnalysisRecord; masks: ImageMasks }): Promise<T>;
  seriesItem(record: SeriesRecord): T;
  seriesOnly: boolean;
}

/**
 * One unit of work: a file on its own (key = its path) or a series analysed as a whole (key = `series:<UID>`).
 * The batch options (src/cli/batch/) shard, resume and parallelise by unit, so a series is never split.
 */
export interface AnalysisUnit<T> {
  key: string;
  files: string[];
  /** Index of its first input, for output in input order. */
  first: number;
  /** Its verdict depended on other series (a second reconstruction): a process given only its files would decide otherwise. */
  needsSiblings?: boolean;
  run: () => AsyncGenerator<T>;
}

/** Inputs (files and folders, recursively) -> the units, in input order (headers read, nothing analysed yet). */
export async function planGrouped<T>(
  paths: readonly string[], ctx: AnalysisContext, registry: readonly AnalysisModule[], hooks: GroupedHooks<T>,
): Promise<AnalysisUnit<T>[]> {
  const readable: string[] = [];
  const units: AnalysisUnit<T>[] = [];
  for (const [i, p] of paths.entries()) {
    try {
      await stat(p);
      readable.push(p);
    } catch {
      units.push({ key: p, files: [p], first: -paths.length + i, run: () => hooks.perFile(p) }); // says why, as before
    }
  }
  const inputs = await inputsFromPaths(readable);
  const { series, errors } = await ingest(inputs);
  const verdicts = classifyCtSeries(series);
  const inputIndex = new Map(inputs.map((input, i) => [input.name, i]));
  for (const e of errors) units.push({ key: e.file, files: [e.file], first: inputIndex.get(e.file) ?? -1, run: () => hooks.perFile(e.file) });
  for (const s of series) {
    const first = s.slices.reduce((m, x) => Math.min(m, x.inputIndex), Infinity);
    const files = [...new Set(s.slices.map((x) => x.input.name))];
    const key = s.slices.length > 1 ? `series:${s.seriesInstanceUID ?? s.key}` : files[0];
    const verdict = verdicts.get(s.key);
    const needsSiblings = verdict?.analyse === false && verdict.kind === 'second-reconstruction';
    units.push({ key, files, first, needsSiblings, run: () => analyzeSeries(s, verdict, ctx, registry, hooks) });
  }
  units.sort((a, b) => a.first - b.first);
  return units;
}

async function* analyzeSeries<T>(
  s: Series, verdict: SeriesVerdict | undefined, ctx: AnalysisContext, registry: readonly AnalysisModule[], hooks: GroupedHooks<T>,
): AsyncGenerator<T> {
  const files = [...new Set(s.slices.map((x) => x.input.name))];
  const h = s.slices[0].header;
  const modality = modalityOf(h);
  const module = modality ? analysesFor(h, modality, registry).find((m) => m.prepareSeries) : undefined;
  const perFiles = async function* () {
    for (const f of files) yield* hooks.perFile(f);
  };
  if (!module || !verdict || s.slices.length < 2) {
    yield* perFiles();
    return;
  }
  const head = { series: s.seriesInstanceUID, modality: module.modality, files: files.length };
  if (!verdict.analyse) {
    yield hooks.seriesItem({ ...head, notAnalysed: verdict.reason });
    if (!hooks.seriesOnly) yield* perFiles();
    return;
  }
  let whole: T[];
  try {
    whole = await wholeSeries(s, module, modality!, ctx, registry, hooks, head);
  } catch (e) {
    // a damaged slice: say so once for the series, then every file on its own (each names its own problem)
    yield hooks.seriesItem({ ...head, notAnalysed: `could not be analysed as a whole: ${(e as Error).message}` });
    if (!hooks.seriesOnly) yield* perFiles();
    return;
  }
  yield* whole;
}

/** The series record followed by its slices' items (all held until the summary exists: it is printed first). */
async function wholeSeries<T>(
  s: Series, module: AnalysisModule, modality: ImageModality, ctx: AnalysisContext, registry: readonly AnalysisModule[],
  hooks: GroupedHooks<T>, head: Pick<SeriesRecord, 'series' | 'modality' | 'files'>,
): Promise<T[]> {
  const h = s.slices[0].header;
  const indices = s.slices.map((_, i) => i);
  const prepared = await module.prepareSeries!({ headers: s.slices.map((x) => x.header), indices, load: (i) => decodeSlice(s.slices[i]) });
  if (prepared === null) throw new Error('no whole-series preparation');
  const slices: SliceRecord<AnalysisRecord>[] = [];
  const masks = new Map<number, ImageMasks>();
  const items: T[] = [];
  // every module that applies runs on every slice, as on the per-file path; the whole-series one with its context
  const modules = analysesFor(h, modality, registry);
  for (const index of indices) {
    const ref = s.slices[index];
    const image = await decodeSlice(ref);
    for (const m of modules) {
      const result = m === module ? await m.analyze(image, ctx, m.sliceContext?.(prepared, index)) : await m.analyze(image, ctx);
      if (m === module) {
        slices.push({ index, sopInstanceUID: image.sopInstanceUID, frame: image.numberOfFrames > 1 ? image.frameIndex : undefined, record: result.record });
        masks.set(index, { lesion: result.masks.lesion, consolidation: result.masks.consolidation });
      }
      if (!hooks.seriesOnly) items.push(await hooks.sliceItem(ref.input.name, image, m, result));
    }
  }
  const summary = module.summarize?.({ slices, headers: s.slices.map((x) => x.header), stride: 1, masks: (i) => masks.get(i), prepared }) ?? null;
  const warnings = (prepared as { warnings?: string[] }).warnings ?? [];
  return [hooks.seriesItem({ ...head, summary, ...(warnings.length ? { warnings } : {}) }), ...items];
}

/** The CLI's text line for a series record. */
export function seriesLine(r: SeriesRecord): string {
  if (r.notAnalysed) return `series ${r.series} (${r.files} files): not analysed as a whole: ${r.notAnalysed}`;
  const s = (r.summary ?? {}) as Record<string, unknown>;
  const sev = s.severity as { label?: string } | null | undefined;
  return `series ${r.series} (${r.files} files): lung ${s.lungVolumeMl ?? 'n/a'} mL (left ${s.leftLungVolumeMl ?? 'n/a'}, right ${s.rightLungVolumeMl ?? 'n/a'}), ` +
    `infection ${s.infectionPercentOfLung ?? 'n/a'}% of lung (${sev?.label ?? 'n/a'}), regression mean ${s.regressionPercentMean ?? 'n/a'}% / max ${s.regressionPercentMax ?? 'n/a'}%, ` +
    `${Array.isArray(s.lesions) ? s.lesions.length : 0} lesion(s)` + (r.warnings?.length ? `; ${r.warnings.join('; ')}` : '');
}
