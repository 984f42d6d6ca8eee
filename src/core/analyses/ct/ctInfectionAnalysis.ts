/**
 * CT infection % of one slice (seed 000 two-head regressor): round(mean(linear head, softmax expectation of
 * the 101-bin head)), clipped to 0..100 -- the same combination the training script evaluates. Outputs
 * are found by their manifest `decode` (`linear`, `softmax-expectation`).
 */
import type { MedicalImage } from '../../image/medicalImage.ts';
import type { Rect } from '../../imageOps/raster.ts';
import { softmaxExpectation } from '../../postprocess/activations.ts';
import { outputByDecode } from '../../runtime/modelFacts.ts';
import type { ModelSession } from '../../runtime/session.ts';
import { ctModelInput } from './ctSlicePreprocess.ts';

export interface CtInfectionResult {
  /** Integer 0..100. */
  infectionPercent: number;
  /** The two heads before combining (for parity checks and the curious). */
  heads: { linear: number; expectation: number };
}

function combineHeads(linear: number, expectation: number): number {
  return Math.min(100, Math.max(0, Math.round(0.5 * (linear + expectation))));
}

export async function ctInfection(image: MedicalImage, session: ModelSession, lungBox: Rect): Promise<CtInfectionResult> {
  const { entry } = session;
  const { tensor } = ctModelInput(image, entry, lungBox);
  const out = await session.run({ [entry.input.name]: tensor });
  const linear = out[outputByDecode(entry, 'linear').name].data[0];
  const expectation = softmaxExpectation(out[outputByDecode(entry, 'softmax-expectation').name].data);
  return { infectionPercent: combineHeads(linear, expectation), heads: { linear, expectation } };
}
