/**
 * CT infection % of one slice (seed 000 two-head regressor): round(mean(linear head, softmax expectation of
 * the 101-bin head)), clipped to 0..100 -- the same combination the training script evaluates.
 */
import type { MedicalImage } from '../../image/medicalImage.ts';
import { softmaxExpectation } from '../../postprocess/activations.ts';
import type { AnalysisContext, ImageAnalysis } from '../analysis.ts';
import { CT_REGRESSION } from './ctModelSpec.ts';
import { modelInput } from './ctSlicePreprocess.ts';

export interface CtInfectionResult {
  /** Integer 0..100. */
  infectionPercent: number;
  /** The two heads before combining (for parity checks and the curious). */
  heads: { linear: number; expectation: number };
  modelId: string;
}

export function combineHeads(linear: number, expectation: number): number {
  return Math.min(100, Math.max(0, Math.round(0.5 * (linear + expectation))));
}

export const ctInfectionAnalysis: ImageAnalysis<CtInfectionResult> = {
  id: 'ct-infection',
  modality: 'ct',
  modelIds: [CT_REGRESSION.id],
  async analyze(image: MedicalImage, ctx: AnalysisContext): Promise<CtInfectionResult> {
    const { tensor } = modelInput(image, CT_REGRESSION);
    const session = await ctx.getSession(CT_REGRESSION.id);
    const out = await session.run({ [CT_REGRESSION.inputName]: tensor });
    const linear = out[CT_REGRESSION.outputs.linear].data[0];
    const expectation = softmaxExpectation(out[CT_REGRESSION.outputs.bins].data);
    return { infectionPercent: combineHeads(linear, expectation), heads: { linear, expectation }, modelId: CT_REGRESSION.id };
  },
};
