/**
 * Parity of every bundled TFJS variant (models/manifest.json entries with `variantOf`) with its ONNX
 * original, on real images from ../shared/data preprocessed by the analyses' own TS code:
 * onnxruntime-node (the CLI's engine) on the ONNX file vs the app's TFJS engine (cpu backend) on the
 * shipped uint8 graph model, both loaded through the manifest with SHA-256 verification.
 *
 * Two levels, two tolerances:
 * 1. Converter exactness: the same ONNX converted without quantization agrees with ORT within
 *    1e-4 x max(1, max|output|) on the raw outputs (float32 summation order only; measured <= 6e-6).
 * 2. The shipped uint8 variant, on the decoded quantities the analyses report, within
 *    DECODED_TOLERANCE (parityInputs.ts: CT % 1.5 points, probabilities 0.03, sigmoid maps 0.1 with
 *    >= 99.5 % identical mask pixels; measured <= 0.75 points, <= 0.075 and >= 99.7 %).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/core/runtime/manifest.ts';
import { createNodeAnalysisContext, type NodeAnalysisContext } from '../../src/core/runtime/nodeContext.ts';
import { createTfjsEngine } from '../../src/core/runtime/tfjsEngine.ts';
import { loadConverted } from './loadConverted.ts';
import { onnxToTfjs } from './onnxToTfjs.ts';
import { checkPasses, decodedChecks, maxAbsDiff, parityInputs, showCheck } from './parityInputs.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const modelsDir = path.join(repo, 'models');
const dataRoot = path.resolve(repo, '../shared/data');
const manifest = parseManifest(JSON.parse(readFileSync(path.join(modelsDir, 'manifest.json'), 'utf8')));
const variants = manifest.models.filter((m) => m.format === 'tfjs' && m.variantOf);

let ortCtx: NodeAnalysisContext;
beforeAll(async () => {
  await tf.setBackend('cpu');
  ortCtx = await createNodeAnalysisContext(modelsDir, { threads: 1 });
});
afterAll(async () => {
  await ortCtx?.release();
});

describe('bundled TFJS variants agree with their ONNX originals on real images', () => {
  it('ships at least the CT regression model as TFJS', () => {
    expect(variants.map((v) => v.variantOf)).toContain('ct-infection-regression');
  });

  for (const entry of variants) {
    const original = manifest.models.find((m) => m.id === entry.variantOf)!;
    it(`${entry.id}: same manifest contract as ${original.id}, converted from its current file`, () => {
      const json = JSON.parse(readFileSync(path.join(modelsDir, entry.files.find((f) => f.role === 'model')!.path), 'utf8'));
      const source = original.files.find((f) => f.role === 'model')!;
      // re-run `npx tsx tools/onnx2tfjs/shipVariant.ts <id>` after re-exporting the original
      expect(json.userDefinedMetadata?.onnx2tfjs?.source).toBe(`${source.path} sha256:${source.sha256}`);
      expect(entry.input).toEqual(original.input);
      expect(entry.outputs).toEqual(original.outputs);
      expect(entry.labels).toEqual(original.labels);
    });

    it(`${entry.id}: converter exact (fp32) and shipped uint8 within the decoded tolerances`, async () => {
      const ortSession = await ortCtx.getSession(original.id);
      const files = new Map(entry.files.map((f) => [f.path, new Uint8Array(readFileSync(path.join(modelsDir, f.path)))]));
      const tfjsSession = await createTfjsEngine().createSession({ entry, files }, 'cpu');
      const onnxBytes = new Uint8Array(readFileSync(path.join(modelsDir, original.files.find((f) => f.role === 'model')!.path)));
      const fp32 = await loadConverted(onnxToTfjs(onnxBytes).files);
      const names = entry.outputs.map((o) => o.name);
      try {
        for (const { label, tensor } of parityInputs(entry, dataRoot)) {
          const feeds = { [entry.input.name]: tensor };
          const ref = await ortSession.run(feeds);
          const got = await tfjsSession.run(feeds);
          const x = tf.tensor(tensor.data, tensor.dims);
          const exact = fp32.execute({ [entry.input.name]: x }, names);
          const exactList = Array.isArray(exact) ? exact : [exact];
          const lines: string[] = [];
          for (const [k, o] of entry.outputs.entries()) {
            expect(got[o.name].dims).toEqual(ref[o.name].dims);
            const scale = Math.max(1, ...Array.from(ref[o.name].data, Math.abs));
            const d = maxAbsDiff(exactList[k].dataSync(), ref[o.name].data);
            expect(d, `${o.name} fp32 conversion |Δ| ${d}`).toBeLessThanOrEqual(1e-4 * scale);
            lines.push(`fp32 ${o.name} |Δ| ${d.toExponential(1)}`);
            for (const c of decodedChecks(o, ref[o.name], got[o.name])) {
              expect(checkPasses(c), showCheck(c)).toBe(true);
              lines.push(showCheck(c));
            }
          }
          exactList.forEach((t) => t.dispose());
          x.dispose();
          console.log(`${entry.id} ${label}: ${lines.join('; ')}`);
        }
      } finally {
        fp32.dispose();
        await tfjsSession.release();
      }
    }, 120_000);
  }
});
