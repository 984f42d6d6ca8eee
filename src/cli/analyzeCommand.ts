/**
 * `lunglens analyze <files...> --json [--masks-out DIR] [--modality ct|cxr] [--models DIR] [--threads N]`
 *
 * Runs the registered analyses (src/core/analyses/registry.ts) on DICOM / PNG / JPEG files — the same code
 * the browser's worker runs — and prints a JSON array, one record per image (per frame of a multi-frame
 * DICOM) and analysis: `{file, modality, [analysis], [frame], ...record, [masks]}`. `analysis` names the
 * module when its id is not the modality's own (`ct`, `cxr`). DICOM says its modality; PNG/JPEG need
 * `--modality`. With `--masks-out`, writes `<basename>.lesion.png` and `<basename>.lung.png` (0/255, at the
 * input's own size).
 *
 * Structure, for options added later: `parseAnalyzeArgs` reads the option table `ANALYZE_OPTIONS`;
 * `analyzeRecords` yields one `AnalyzedItem` at a time (records are never all held unless the sink does);
 * `analyzeCommand` hands them to the sink (JSON array or text lines).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode as encodePng } from 'fast-png';
import type { AnalysisContext, AnalysisModule, AnalysisRecord, ImageMask, ImageMasks, ImageModality, ImageResult } from '../core/analyses/analysisModule.ts';
import { ANALYSES, analysesFor, modalityOf } from '../core/analyses/registry.ts';
import type { MedicalImage } from '../core/image/medicalImage.ts';
import { loadImages } from '../core/ingest/loadImages.ts';
import { createNodeAnalysisContext } from '../core/runtime/nodeContext.ts';
import { HospitalRun, type HospitalArgs } from './hospital/hospitalRun.ts';
import { planGrouped, seriesLine, type AnalysisUnit, type GroupedHooks, type SeriesRecord } from './study/seriesAnalysis.ts';
import { BATCH_OPTIONS, batchExecutor, batchInputs, checkBatchArgs, runBatch, selectShardFiles, type BatchArgs } from './batch/batchRun.ts';
import { serveBatchWorker } from './batch/unitExecutor.ts';

export interface AnalyzeArgs extends HospitalArgs, BatchArgs {
  files: string[];
  json: boolean;
  masksOut?: string;
  modality?: ImageModality;
  modelsDir: string;
  threads?: number;
  /** Series records only, no per-slice records for series analysed as a whole (src/cli/study/). */
  seriesOnly?: boolean;
}

const DEFAULT_MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models');
const USAGE = 'usage: lunglens analyze <files...> --json [--masks-out DIR] [--modality ct|cxr]';

/** One option: `value` = takes the next argument. */
interface OptionSpec {
  value: boolean;
  apply(args: AnalyzeArgs, value: string): void;
}

export const ANALYZE_OPTIONS: Record<string, OptionSpec> = {
  '--json': { value: false, apply: (a) => { a.json = true; } },
  // Cohorts (src/cli/batch/): --files-from --jsonl --output --resume --shard --jobs --csv.
  ...BATCH_OPTIONS,
  '--series-only': { value: false, apply: (a) => { a.seriesOnly = true; } },
  '--masks-out': { value: true, apply: (a, v) => { a.masksOut = v; } },
  // Hospital integration (src/cli/hospital/): DICOM SEG + SR, NIfTI masks, a PACS in and out.
  '--dicom-out': { value: true, apply: (a, v) => { a.dicomOut = v; } },
  '--nifti-out': { value: true, apply: (a, v) => { a.niftiOut = v; } },
  '--dicomweb': { value: true, apply: (a, v) => { a.dicomweb = v; } },
  '--study': { value: true, apply: (a, v) => { a.study = v; } },
  '--store': { value: false, apply: (a) => { a.store = true; } },
  '--models': { value: true, apply: (a, v) => { a.modelsDir = path.resolve(v); } },
  '--threads': { value: true, apply: (a, v) => { a.threads = Number(v); } },
  '--modality': {
    value: true,
    apply: (a, v) => {
      if (v !== 'ct' && v !== 'cxr') throw new Error(`--modality must be ct or cxr, got ${v}`);
      a.modality = v;
    },
  },
};

export function parseAnalyzeArgs(argv: string[]): AnalyzeArgs {
  const a: AnalyzeArgs = { files: [], json: false, modelsDir: DEFAULT_MODELS_DIR };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const option = ANALYZE_OPTIONS[arg];
    if (option) {
      const v = option.value ? argv[++i] : '';
      if (v === undefined) throw new Error(`${arg} needs a value`);
      option.apply(a, v);
    } else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else a.files.push(arg);
  }
  if (a.files.length === 0 && !a.study && !a.filesFrom && !a.batchWorker) throw new Error(USAGE);
  checkBatchArgs(a);
  return a;
}

/** A record as printed: the image's identity, then the module's record, then the mask files written. */
export type CliRecord<R extends AnalysisRecord = AnalysisRecord> =
  { file: string; modality: ImageModality; analysis?: string; frame?: number } & R & { masks?: Record<string, string> };
export interface CliError {
  file: string;
  error: string;
}

/** What `analyzeRecords` yields: an analysed image (with what sinks and exports may need) or a failed input. */
export type AnalyzedItem =
  | { kind: 'image'; file: string; image: MedicalImage; module: AnalysisModule; result: ImageResult<AnalysisRecord>; out: CliRecord }
  | { kind: 'error'; file: string; out: CliError }
  | { kind: 'series'; file: string; out: SeriesRecord };

/** Masks written by --masks-out (ggo/consolidation stay in memory). */
const MASKS_WRITTEN = ['lesion', 'lung'] as const;

function imageModality(image: MedicalImage, override?: ImageModality): ImageModality {
  const m = override ?? modalityOf(image);
  if (m) return m;
  if (image.kind !== 'dicom') throw new Error('PNG/JPEG input needs --modality ct|cxr');
  throw new Error(`DICOM modality ${image.modality || '(none)'} is not analysed (CT, CR, DX only)`);
}

export function maskToPng(mask: ImageMask): Uint8Array {
  const data = new Uint8Array(mask.data.length);
  for (let i = 0; i < data.length; i++) data[i] = mask.data[i] ? 255 : 0;
  return encodePng({ width: mask.columns, height: mask.rows, data, channels: 1, depth: 8 });
}

/** A module other than the modality's own says its name (in the record and in mask file names). */
const namedAnalysis = (m: AnalysisModule): string | undefined => (m.id === m.modality ? undefined : m.id);

async function writeMasks(dir: string, file: string, image: MedicalImage, module: AnalysisModule, masks: ImageMasks): Promise<Record<string, string>> {
  const name = namedAnalysis(module);
  const base = path.basename(file).replace(/\.[^.]+$/, '') + (image.numberOfFrames > 1 ? `.f${image.frameIndex}` : '') + (name ? `.${name}` : '');
  const written: Record<string, string> = {};
  for (const key of MASKS_WRITTEN) {
    const mask = masks[key];
    if (!mask) continue;
    const target = path.join(dir, `${base}.${key}.png`);
    await writeFile(target, maskToPng(mask));
    written[key] = target;
  }
  return written;
}

/** Every image of one file through every analysis that applies; a failure ends the file with an error item. */
export async function* analyzeFile(
  file: string, args: AnalyzeArgs, ctx: AnalysisContext, registry: readonly AnalysisModule[] = ANALYSES,
): AsyncGenerator<AnalyzedItem> {
  try {
    for await (const image of loadImages(new Uint8Array(await readFile(file)), path.basename(file))) {
      const modality = imageModality(image, args.modality);
      const modules = analysesFor(image, modality, registry);
      if (!modules.length) throw new Error(`no analysis registered for modality ${modality}`);
      for (const module of modules) yield await imageItem(file, modality, image, module, await module.analyze(image, ctx), args);
    }
  } catch (e) {
    yield { kind: 'error', file, out: { file, error: (e as Error).message } };
  }
}

/** The item (and printed record, masks written) of one analysed image. */
async function imageItem(
  file: string, modality: ImageModality, image: MedicalImage, module: AnalysisModule, result: ImageResult<AnalysisRecord>, args: AnalyzeArgs,
): Promise<AnalyzedItem> {
  const head: { file: string; modality: ImageModality; analysis?: string; frame?: number } = { file, modality };
  const name = namedAnalysis(module);
  if (name) head.analysis = name;
  if (image.numberOfFrames > 1) head.frame = image.frameIndex;
  const out: CliRecord = Object.assign(head, result.record);
  if (args.masksOut) out.masks = await writeMasks(args.masksOut, file, image, module, result.masks);
  return { kind: 'image', file, image, module, result, out };
}

/** The per-item hooks of the grouped analysis (src/cli/study/seriesAnalysis.ts). */
function groupedHooks(args: AnalyzeArgs, ctx: AnalysisContext, registry: readonly AnalysisModule[]): GroupedHooks<AnalyzedItem> {
  return {
    perFile: (file) => analyzeFile(file, args, ctx, registry),
    sliceItem: (file, image, module, result) => imageItem(file, module.modality, image, module, result, args),
    seriesItem: (out) => ({ kind: 'series', file: out.series, out }),
    seriesOnly: !!args.seriesOnly,
  };
}

/** The units of work (a file, or a series analysed as a whole), headers read, nothing analysed yet. */
export async function analyzeUnits(
  args: AnalyzeArgs, ctx: AnalysisContext, registry: readonly AnalysisModule[] = ANALYSES,
): Promise<AnalysisUnit<AnalyzedItem>[]> {
  if (args.masksOut) await mkdir(args.masksOut, { recursive: true });
  return planGrouped<AnalyzedItem>(args.files, ctx, registry, groupedHooks(args, ctx, registry));
}

/** Files and folders, grouped into series as the app groups them (see src/cli/study/seriesAnalysis.ts). */
export async function* analyzeRecords(
  args: AnalyzeArgs, ctx: AnalysisContext, registry: readonly AnalysisModule[] = ANALYSES,
): AsyncGenerator<AnalyzedItem> {
  for (const unit of await analyzeUnits(args, ctx, registry)) yield* unit.run();
}

/** Analyses every file; returns the printed records (errors are records with `error`). */
export async function analyzeFiles(
  args: AnalyzeArgs, ctx: AnalysisContext, registry: readonly AnalysisModule[] = ANALYSES,
): Promise<(CliRecord | CliError | SeriesRecord)[]> {
  const out: (CliRecord | CliError | SeriesRecord)[] = [];
  for await (const item of analyzeRecords(args, ctx, registry)) out.push(item.out);
  return out;
}

/** The CLI's text line for one item. */
export function textLine(item: AnalyzedItem): string {
  if (item.kind === 'series') return seriesLine(item.out);
  return item.kind === 'error' ? `${item.file}: ERROR ${item.out.error}` : `${item.file}: ${item.module.describe(item.result.record)}`;
}

/** CLI entry: returns the exit code (1 when any input failed). */
export async function analyzeCommand(argv: string[], registry: readonly AnalysisModule[] = ANALYSES): Promise<number> {
  let args: AnalyzeArgs;
  try {
    args = parseAnalyzeArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  let hospital: HospitalRun | null;
  try {
    hospital = await HospitalRun.start(args, (line) => process.stderr.write(`${line}\n`));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const ctx = await createNodeAnalysisContext(args.modelsDir, {
    threads: args.threads,
    onNotice: (n) => process.stderr.write(`${JSON.stringify(n)}\n`),
  });
  try {
    // Folders walked, --files-from read, this job's --shard taken (src/cli/batch/); then units run with
    // --jobs, --resume, --jsonl, --csv, a progress line and a summary on stderr.
    if (args.batchWorker) {
      await serveBatchWorker((files) => analyzeRecords({ ...args, files }, ctx, registry));
      return 0;
    }
    args.files = selectShardFiles((await batchInputs(args.files, args.filesFrom)).files, args.shard);
    const records: (CliRecord | CliError | SeriesRecord)[] = [];
    const executor = batchExecutor<AnalyzedItem>(args, !!hospital, registry);
    const counts = await runBatch(args, await analyzeUnits(args, ctx, registry), executor, (item) => {
      hospital?.add(item);
      if (args.json) records.push(item.out);
      else if (!args.jsonl) process.stdout.write(`${textLine(item)}\n`);
    });
    const failed = counts.failed > 0;
    if (args.json) process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
    if (hospital) {
      try {
        await hospital.finish();
      } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        return 1;
      }
    }
    return failed ? 1 : 0;
  } finally {
    await hospital?.dispose();
    await ctx.release();
  }
}
