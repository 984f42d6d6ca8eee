/**
 * One image in, the numbers `lunglens analyze --json` prints plus its masks out — per
 * modality. The CLI prints these records and the browser worker returns them to the app,
 * so the app's report and the CLI agree by construction (same code, same rounding).
 */
import type { AnalysisKind } from '../report/analysisRecords.ts';
import type { MedicalImage } from '../image/medicalImage.ts';
import type { Manifest } from '../runtime/manifest.ts';
import type { AnalysisContext, ImageAnalysis, ImageMask } from './analysis.ts';
import { ctInfectionAnalysis } from './ct/ctInfectionAnalysis.ts';
import { ctLesionAnalysis } from './ct/ctLesionAnalysis.ts';
import { isAxialSlice } from './ct/sliceOrientation.ts';
import { cxrAnalysis } from './cxr/cxrAnalysis.ts';
import { cxrRecord } from './cxr/cxrRecord.ts';

export interface ImageReport {
  /** JSON fields of this image's result (besides `file`, `modality`, `frame`). */
  record: Record<string, unknown>;
  /** Masks at the image's size, keyed by name ('lesion' -> <base>.lesion.png in the CLI). */
  masks: Record<string, ImageMask>;
}

export type ImageReportRunner = (image: MedicalImage, ctx: AnalysisContext) => Promise<ImageReport>;

/** Hosts that know their manifest (ModelHost in the worker, the CLI's Node context) name model versions. */
function modelVersion(ctx: AnalysisContext, id: string): string | undefined {
  const manifest = (ctx as { manifest?: Manifest }).manifest;
  return manifest?.models.find((m) => m.id === id)?.version;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export const ctImageReport: ImageReportRunner = async (image, ctx) => {
  const infection = await ctInfectionAnalysis.analyze(image, ctx);
  const lesion = await ctLesionAnalysis.analyze(image, ctx);
  const record: Record<string, unknown> = {
    infectionPercent: infection.infectionPercent,
    lesionPercentOfLung: lesion.lesionPercentOfLung === null ? null : round(lesion.lesionPercentOfLung, 2),
  };
  if (!isAxialSlice(image)) record.warning = 'not an axial slice: the CT models were trained on axial slices';
  else if (!lesion.lungFound) record.warning = 'no lung found: the whole image was analysed, the numbers are not meaningful';
  if (lesion.lesionAreaMm2 !== undefined) record.lesionAreaMm2 = round(lesion.lesionAreaMm2, 1);
  if (lesion.lungAreaMm2 !== undefined) record.lungAreaMm2 = round(lesion.lungAreaMm2, 1);
  Object.assign(record, {
    lesionAreaPx: lesion.lesionAreaPx,
    lungAreaPx: lesion.lungAreaPx,
    ggoAreaPx: lesion.ggoAreaPx,
    consolidationAreaPx: lesion.consolidationAreaPx,
    lesionOutsideLungPx: lesion.lesionOutsideLungPx,
    lungFound: lesion.lungFound,
    lungBox: lesion.lungBox,
    heads: { linear: round(infection.heads.linear, 3), expectation: round(infection.heads.expectation, 3) },
    models: [infection.modelId, lesion.modelId].map((id) => ({ id, version: modelVersion(ctx, id) })),
  });
  const m = lesion.masks;
  return { record, masks: { lesion: m.lesion, lung: m.lung, ggo: m.ggo, consolidation: m.consolidation } };
};

/** Chest radiograph: classification, detections A / B / WBF ensemble (input pixels), infection % of lung. */
export const cxrImageReport: ImageReportRunner = async (image, ctx) => {
  const r = await cxrAnalysis.analyze(image, ctx);
  const record: Record<string, unknown> = {
    ...cxrRecord(r),
    models: cxrAnalysis.modelIds.map((id) => ({ id, version: modelVersion(ctx, id) })),
  };
  return { record, masks: { lesion: r.masks.lesion, lung: r.masks.lung } };
};

export const IMAGE_REPORTS: Record<AnalysisKind, ImageReportRunner> = { ct: ctImageReport, cxr: cxrImageReport };

/** The worker-facing form: analysis id `<kind>-report`, as the app's SeriesAnalysis calls it. */
export function imageReportAnalysis(kind: AnalysisKind, modelIds: readonly string[]): ImageAnalysis<ImageReport> {
  return { id: `${kind}-report`, modality: kind, modelIds, analyze: IMAGE_REPORTS[kind] };
}
