/**
 * The cohort options of `lunglens analyze`, applied around the analysis units (a file, or a CT
 * series analysed as a whole: src/cli/study/seriesAnalysis.ts):
 *   --files-from FILE|-   more inputs, one a line (folders on the command line are walked recursively)
 *   --shard K/N           this job's deterministic share (by folder for DICOM, by file for PNG/JPEG)
 *   --jsonl               one JSON record per line as each unit finishes (stdout, or --output FILE)
 *   --output FILE         where --jsonl goes; with --resume, units already in FILE are skipped
 *   --jobs N              N units in flight at once
 *   --csv FILE            one row per analysed image, the app's CSV columns (per analysis) after `file`
 * plus a progress line on a terminal and a final summary on stderr. Records of one unit are written
 * together, so a killed run leaves whole units only, and --resume picks up after the last one.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalysisModule, AnalysisRecord, SliceRecord } from '../../core/analyses/analysisModule.ts';
import { readFileSync } from 'node:fs';
import { csvLine, openCsvOutput, type CsvCell, type CsvSink } from './csvOutput.ts';
import { expandInputs, readFileList, type InputProblem } from './expandInputs.ts';
import { jsonlSink, openJsonlOutput, type RecordSink } from './jsonlOutput.ts';
import { ProgressLine, summaryText, type BatchCounts } from './progressLine.ts';
import { answeredInputs } from './resumeState.ts';
import { inShard, parseShard, type Shard } from './shard.ts';
import { inProcessExecutor, processExecutor, type UnitExecutor } from './unitExecutor.ts';
import { runPool } from './workPool.ts';

export interface BatchArgs {
  filesFrom?: string;
  jsonl?: boolean;
  output?: string;
  resume?: boolean;
  shard?: Shard;
  jobs?: number;
  csv?: string;
  /** Internal: this process is a --jobs worker (src/cli/batch/processPool.ts). */
  batchWorker?: boolean;
}

/** Entries for the analyze option table (same shape as its other options). */
export const BATCH_OPTIONS = {
  '--files-from': { value: true, apply: (a: BatchArgs, v: string) => { a.filesFrom = v; } },
  '--jsonl': { value: false, apply: (a: BatchArgs) => { a.jsonl = true; } },
  '--output': { value: true, apply: (a: BatchArgs, v: string) => { a.output = v; } },
  '--resume': { value: false, apply: (a: BatchArgs) => { a.resume = true; } },
  '--shard': { value: true, apply: (a: BatchArgs, v: string) => { a.shard = parseShard(v); } },
  '--jobs': {
    value: true,
    apply: (a: BatchArgs, v: string) => {
      const n = Number(v);
      if (!(Number.isInteger(n) && n >= 1 && n <= 64)) throw new Error(`--jobs must be a whole number from 1 to 64, got ${v}`);
      a.jobs = n;
    },
  },
  '--csv': { value: true, apply: (a: BatchArgs, v: string) => { a.csv = v; } },
  '--batch-worker': { value: false, apply: (a: BatchArgs) => { a.batchWorker = true; } },
};

/** Option combinations that cannot work, said before anything runs. */
export function checkBatchArgs(a: BatchArgs & { json?: boolean }): void {
  if (a.output && !a.jsonl) throw new Error('--output is where --jsonl records go: add --jsonl');
  if (a.resume && !a.output) throw new Error('--resume needs --jsonl --output FILE (the earlier run\'s output, appended to)');
  if (a.jsonl && a.json) throw new Error('choose --json (one array at the end) or --jsonl (a line per record as it finishes)');
}

/** The minimum a batch needs to know about one printed item (AnalyzedItem fits). */
export interface BatchItem {
  kind: 'image' | 'error' | 'series';
  file: string;
  out: object;
  module?: AnalysisModule;
}

export interface BatchUnit<T extends BatchItem> {
  key: string;
  files: string[];
  /** Must run in this process, which saw every input (its verdict depends on other series). */
  needsSiblings?: boolean;
  run: () => AsyncGenerator<T>;
}

/** Files and folders from the command line and --files-from, expanded; missing paths kept (they get error records). */
export async function batchInputs(paths: readonly string[], filesFrom?: string): Promise<{ files: string[]; problems: InputProblem[] }> {
  const listed = filesFrom ? await readFileList(filesFrom) : [];
  const { files, problems } = await expandInputs([...paths, ...listed]);
  return { files: [...files, ...problems.map((p) => p.path)], problems };
}

const RASTER = /\.(png|jpe?g)$/i;

/**
 * The shard key of an input before anything is read: PNG/JPEG files one by one, anything else by
 * its folder, so the slices of a series (which live in one folder in every archive layout we
 * know) stay on one machine and are analysed together.
 */
function shardKey(file: string): string {
  return RASTER.test(file) ? file : path.dirname(file);
}

export function selectShardFiles(files: readonly string[], shard: Shard | undefined): string[] {
  return shard ? files.filter((f) => inShard(shardKey(f), shard)) : [...files];
}

export interface BatchOutputs {
  stdoutFd?: number;
  stderr: { isTTY?: boolean; write(text: string): unknown };
}

/**
 * Runs the units with the batch options and hands every item, unit by unit, to `onItem` (for the
 * other sinks: JSON array, text, hospital exports). Returns the counts; `failed` > 0 means exit 1.
 */
export async function runBatch<T extends BatchItem>(
  args: BatchArgs,
  units: readonly BatchUnit<T>[],
  executor: UnitExecutor<T>,
  onItem: (item: T) => void | Promise<void>,
  io: BatchOutputs = { stdoutFd: 1, stderr: process.stderr },
): Promise<BatchCounts> {
  const started = performance.now();
  const answered = args.resume && args.output ? await answeredInputs(args.output) : new Set<string>();
  const todo = units.filter((u) => !answered.has(u.key));
  const counts: BatchCounts = { analysed: 0, failed: 0, skipped: 0 };
  for (const u of units) if (answered.has(u.key)) counts.skipped += u.files.length;
  const total = units.reduce((n, u) => n + u.files.length, 0);
  const jsonl: RecordSink | undefined = args.jsonl ? (args.output ? openJsonlOutput(args.output, !!args.resume) : jsonlSink(io.stdoutFd ?? 1)) : undefined;
  const csv = args.csv ? new CsvTables(args.csv, !!args.resume) : undefined;
  const progress = new ProgressLine(io.stderr, total);
  progress.update(counts, true);
  try {
    await runPool(todo, args.jobs ?? 1, (unit) => executor.execute(unit), async (unit, outcome) => {
      const items: T[] = outcome.ok ? outcome.value : unit.files.map((file) => ({ kind: 'error', file, out: { file, error: errorText(outcome.error) } }) as T);
      jsonl?.write(items.map((i) => i.out));
      csv?.add(items);
      for (const item of items) await onItem(item);
      const failedFiles = new Set(items.filter((i) => i.kind === 'error').map((i) => i.file));
      counts.failed += failedFiles.size;
      counts.analysed += unit.files.filter((f) => !failedFiles.has(f)).length;
      progress.update(counts);
    });
  } finally {
    await executor.close();
    progress.finish();
    jsonl?.close();
    csv?.close();
  }
  io.stderr.write(`${summaryText(counts, (performance.now() - started) / 1000)}\n`);
  return counts;
}

/** What a --jobs worker must be told to analyse exactly like this process. */
interface WorkerFacing {
  modality?: string;
  modelsDir?: string;
  threads?: number;
  masksOut?: string;
  seriesOnly?: boolean;
}

const CLI_SCRIPT = fileURLToPath(new URL('../../../bin/lunglens.mjs', import.meta.url));

/**
 * In this process for --jobs 1, or when a sink needs decoded images (`inProcessOnly`: DICOM SEG / NIfTI /
 * DICOMweb exports); else N worker processes.
 */
export function batchExecutor<T extends BatchItem>(
  args: BatchArgs & WorkerFacing, inProcessOnly: boolean, registry: readonly AnalysisModule[],
): UnitExecutor<T> {
  const jobs = args.jobs ?? 1;
  if (jobs <= 1 || inProcessOnly) return inProcessExecutor<T>();
  const pass: string[] = [];
  if (args.modality) pass.push('--modality', args.modality);
  if (args.modelsDir) pass.push('--models', args.modelsDir);
  if (args.threads) pass.push('--threads', String(args.threads));
  if (args.masksOut) pass.push('--masks-out', args.masksOut);
  if (args.seriesOnly) pass.push('--series-only');
  return processExecutor<T>(CLI_SCRIPT, jobs, pass, registry);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * --csv: one table per analysis (CT slices and radiographs have different columns): the first
 * analysis seen writes FILE, another one FILE with `.<analysis id>` before the extension.
 */
class CsvTables {
  private readonly tables = new Map<string, CsvSink>();
  private readonly indexInFile = new Map<string, number>();
  private fileClaimed = false;

  constructor(private readonly file: string, private readonly append: boolean) {}

  add(items: readonly BatchItem[]): void {
    const rows = new Map<AnalysisModule, CsvCell[][]>();
    for (const item of items) {
      if (item.kind !== 'image' || !item.module) continue;
      const out = item.out as { file: string; frame?: number; sopInstanceUID?: string } & AnalysisRecord;
      const index = this.indexInFile.get(item.file) ?? 0;
      this.indexInFile.set(item.file, index + 1);
      const slice: SliceRecord<AnalysisRecord> = { index: out.frame ?? index, sopInstanceUID: out.sopInstanceUID, frame: out.frame, record: out };
      const columns = item.module.csvColumns([slice]);
      this.sinkFor(item.module, ['file', ...columns.map((c) => c.header)]);
      const list = rows.get(item.module) ?? [];
      list.push([item.file, ...columns.map((c) => c.value(slice))]);
      rows.set(item.module, list);
    }
    for (const [module, list] of rows) this.tables.get(module.id)!.writeRows(list);
  }

  private sinkFor(module: AnalysisModule, header: string[]): CsvSink {
    let sink = this.tables.get(module.id);
    if (!sink) {
      const suffixed = this.file.replace(/(\.[^./]*)?$/, `.${module.id}$1`);
      // FILE belongs to the first analysis seen; when resuming, to the one whose header it already has.
      const existing = this.append ? firstLine(this.file) : undefined;
      const ownsFile = existing === undefined ? !this.fileClaimed : existing === csvLine(header).trimEnd();
      const target = ownsFile && !this.fileClaimed ? this.file : suffixed;
      if (target === this.file) this.fileClaimed = true;
      sink = openCsvOutput(target, header, this.append);
      this.tables.set(module.id, sink);
    }
    return sink;
  }

  close(): void {
    for (const sink of this.tables.values()) sink.close();
  }
}

/** The first line of a file (without its line break), or undefined when it is missing or empty. */
function firstLine(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split(/\r?\n/, 1)[0];
  return line ? line : undefined;
}
