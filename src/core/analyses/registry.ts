/**
 * Every per-image analysis the app and the CLI can run, in one list (the DESIGN's "registered in one list").
 * Hosts pick by `modality` and check `modelIds` against the manifest. CT entries here; CXR adds its own.
 */
import type { ImageAnalysis } from './analysis.ts';
import { ctInfectionAnalysis } from './ct/ctInfectionAnalysis.ts';
import { ctLesionAnalysis } from './ct/ctLesionAnalysis.ts';
import { cxrAnalysis } from './cxr/cxrAnalysis.ts';
import { imageReportAnalysis } from './imageReport.ts';

export const ANALYSES: readonly ImageAnalysis<unknown>[] = [
  ctInfectionAnalysis,
  ctLesionAnalysis,
  cxrAnalysis,
  // What the app runs per image: the CLI's record + masks (see imageReport.ts).
  imageReportAnalysis('ct', [...ctInfectionAnalysis.modelIds, ...ctLesionAnalysis.modelIds]),
  imageReportAnalysis('cxr', cxrAnalysis.modelIds),
];

export function analysesFor(modality: 'ct' | 'cxr'): ImageAnalysis<unknown>[] {
  return ANALYSES.filter((a) => a.modality === modality);
}
