/**
 * Every analysis the app and the CLI run, in one list: one line per folder. The worker runs them by id,
 * the CLI prints their records, the report / CSV / exports and the panel read their declarations.
 */
import type { AnalysisModule, ImageFacts, ImageModality } from './analysisModule.ts';
import { ctAnalysis } from './ct/index.ts';
import { cxrAnalysis } from './cxr/index.ts';
import { hasModalityValues } from '../image/medicalImage.ts';

export const ANALYSES: readonly AnalysisModule[] = [
  ctAnalysis,
  cxrAnalysis,
];

/** DICOM modalities analysed as chest radiographs. */
const RADIOGRAPH_MODALITIES = new Set(['CR', 'DX', 'DR']);

/** What DICOM says the image is; null for PNG/JPEG (and other modalities): the user (or `--modality`) must say. */
export function modalityOf(image: ImageFacts): ImageModality | null {
  if (!hasModalityValues(image.kind)) return null;
  if (image.modality === 'CT') return 'ct';
  if (RADIOGRAPH_MODALITIES.has(image.modality)) return 'cxr';
  return null;
}

/** The analyses that apply to an image (or a series' first slice) of the given modality, in registry order. */
export function analysesFor(image: ImageFacts, modality: ImageModality, registry: readonly AnalysisModule[] = ANALYSES): AnalysisModule[] {
  return registry.filter((m) => m.modality === modality && (m.accepts?.(image) ?? true));
}

export function analysisById(id: string, registry: readonly AnalysisModule[] = ANALYSES): AnalysisModule {
  const m = registry.find((a) => a.id === id);
  if (!m) throw new Error(`Unknown analysis "${id}" (have: ${registry.map((a) => a.id).join(', ') || 'none'})`);
  return m;
}
