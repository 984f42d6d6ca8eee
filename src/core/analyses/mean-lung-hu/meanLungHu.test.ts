/**
 * Adding an analysis = one folder + one registry line (issue 13). This folder holds a tiny example
 * ("mean lung HU"); the registry line is `registry` below. Nothing else is edited, and:
 * the CLI prints its records, the app's run + JSON report carry its records and summary, the CSV has its
 * columns, and the analysis panel offers it and renders its Results.svelte.
 */
import path from 'node:path';
import { SvelteMap } from 'svelte/reactivity';
import { render } from 'svelte/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { analyzeCommand } from '../../../cli/analyzeCommand.ts';
import { reportFor } from '../../../app/reportFor.ts';
import type { InferenceRuntime } from '../../../app/inferenceRuntime.svelte.ts';
import { SeriesAnalysis } from '../../../app/seriesAnalysis.svelte.ts';
import AnalysisPanel from '../../../ui/analysis/AnalysisPanel.svelte';
import { defaultOverlayStyle } from '../../../viewer/overlays/overlayStyle.ts';
import type { InferenceClient } from '../../../worker/inference/inferenceClient.ts';
import { ingest } from '../../ingest/ingest.ts';
import { inputsFromPaths } from '../../ingest/nodeInputs.ts';
import { slicesCsv } from '../../report/csv.ts';
import { createNodeAnalysisContext, type NodeAnalysisContext } from '../../runtime/nodeContext.ts';
import { decodeSlice } from '../../series/decodeSlice.ts';
import type { Series } from '../../series/series.ts';
import { ANALYSES, analysesFor, analysisById } from '../registry.ts';
import { meanLungHuAnalysis, type MeanLungHuRecord } from './index.ts';

// The panel's PACS button reads the page origin when imported; Node has none.
vi.hoisted(() => { (globalThis as unknown as { location?: URL }).location ??= new URL('http://localhost/'); });

const registry = [...ANALYSES, meanLungHuAnalysis]; // the one registry line

const REPO = path.resolve(__dirname, '../../../..');
const SERIES_DIR = path.resolve(REPO, '../shared/data/ct-series/lidc-idri-0001');
const files = ['000040.dcm', '000060.dcm'].map((f) => path.join(SERIES_DIR, f));

async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { out += String(chunk); return true; });
  try {
    const code = await analyzeCommand([...argv, '--threads', '1'], registry);
    return { code, out };
  } finally {
    spy.mockRestore();
  }
}

describe('an analysis added by one folder + one registry line', () => {
  let cliRecords: (MeanLungHuRecord & { file: string; analysis?: string; modality: string })[];
  /** The CLI's records in series order (the app sorts slices along the normal). */
  const inSeriesOrder = () => series.slices.map((s) => cliRecords.find((r) => r.file === s.input.name)!);
  let series: Series;
  let run: SeriesAnalysis;
  let ctx: NodeAnalysisContext;

  beforeAll(async () => {
    ctx = await createNodeAnalysisContext(path.join(REPO, 'models'), { threads: 1 });
    const { series: all } = await ingest(await inputsFromPaths(files));
    series = all[0];
    const [module] = analysesFor(series.slices[0].header, 'ct', registry).filter((m) => m.id === 'mean-lung-hu');
    run = new SeriesAnalysis(series, module, (i) => decodeSlice(series.slices[i]));
    // the inference worker's runAnalysis, in process: the registry's module by id
    const client = { runAnalysis: (id, image) => analysisById(id, registry).analyze(image, ctx) } as InferenceClient;
    await run.run(client);
  });
  afterAll(async () => ctx?.release());

  it('the CLI prints its records next to the CT records (JSON and text)', async () => {
    const { code, out } = await cli([...files, '--json']);
    expect(code).toBe(0);
    const records = JSON.parse(out) as { analysis?: string; modality: string }[];
    // (plus the CT series record: the two slices are one series, analysed as a whole -- issue 12)
    expect(records.filter((r) => 'file' in r && r.analysis === undefined && r.modality === 'ct')).toHaveLength(2);
    cliRecords = records.filter((r) => r.analysis === 'mean-lung-hu') as typeof cliRecords;
    expect(cliRecords.map((r) => r.file).sort()).toEqual([...files].sort()); // a series prints in series order
    for (const r of cliRecords) {
      // aerated lung: far below soft tissue, above air
      expect(r.meanLungHu).toBeGreaterThan(-950);
      expect(r.meanLungHu).toBeLessThan(-600);
      expect(r.lungAreaPx).toBeGreaterThan(10_000);
    }
    const text = await cli([files[0]]);
    expect(text.out).toContain(`${files[0]}: mean lung density ${cliRecords.find((r) => r.file === files[0])!.meanLungHu} HU`);
  });

  it('the app run and the JSON report carry its records and its summary', () => {
    expect(run.status).toBe('done');
    const report = reportFor(run, 'cpu');
    expect(report.analysis).toBe('mean-lung-hu');
    const got = report.slices.map((s) => (s.record as MeanLungHuRecord).meanLungHu);
    expect(got).toEqual(inSeriesOrder().map((r) => r.meanLungHu));
    const [a, b] = cliRecords;
    const weighted = (a.meanLungHu! * a.lungAreaPx + b.meanLungHu! * b.lungAreaPx) / (a.lungAreaPx + b.lungAreaPx);
    expect((report.summary as { meanLungHu: number }).meanLungHu).toBeCloseTo(weighted, 1);
  });

  it('the CSV has its columns', () => {
    const lines = slicesCsv(run.module, run.records()).trim().split('\n');
    expect(lines[0]).toBe('slice,sopInstanceUID,meanLungHu,lungAreaPx');
    expect(lines.slice(1).map((l) => l.split(',').slice(2).map(Number))).toEqual(inSeriesOrder().map((r) => [r.meanLungHu, r.lungAreaPx]));
  });

  it('the analysis panel offers it and renders its results', () => {
    const runtime = { badge: 'CPU', init: { models: [], analyses: [], backend: { pref: 'wasm', engines: [] } }, error: null, downloads: {} } as unknown as InferenceRuntime;
    const { body } = render(AnalysisPanel, {
      props: {
        series, runs: new SvelteMap([[series.key, run]]), runtime, currentIndex: 0, currentImage: null,
        loadSlice: (i: number) => decodeSlice(series.slices[i]), viewCanvas: () => null,
        overlayStyle: { ...defaultOverlayStyle }, painters: [], onGoTo: () => undefined, analyses: registry,
      },
    });
    expect(body).toContain('CT: mean lung density (HU)');
    expect(body).toMatch(new RegExp(`data-testid="mean-lung-hu"[^>]*>${inSeriesOrder()[0].meanLungHu} HU<`));
    expect(body).toContain('data-testid="series-mean-lung-hu"');
    expect(body).toContain('□ lung');
    expect(body).toContain('"analysis": "mean-lung-hu"');
  });
});
