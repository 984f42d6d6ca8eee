import type { MedicalImage } from '../image/medicalImage.ts';
import type { InferenceSession } from '../runtime/session.ts';

/** What an analysis needs from its host (browser worker or CLI): sessions by model id. */
export interface AnalysisContext {
  getSession(modelId: string): Promise<InferenceSession>;
}

/** A binary mask at the *input image's* size (rows x columns), 0 or 1 per pixel. */
export interface ImageMask {
  rows: number;
  columns: number;
  data: Uint8Array;
}

/**
 * A per-image analysis. The CT and CXR tasks each implement one; the registry in
 * `analyses/registry.ts` lists them. `analyze` must be DOM-free: it runs in the
 * inference worker and in the Node CLI.
 */
export interface ImageAnalysis<R> {
  id: string;
  modality: 'ct' | 'cxr';
  /** Manifest ids of the models this analysis needs. */
  modelIds: readonly string[];
  analyze(image: MedicalImage, ctx: AnalysisContext): Promise<R>;
}
