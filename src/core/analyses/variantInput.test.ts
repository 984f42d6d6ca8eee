/**
 * The manifest drives pre- and post-processing: a variant of the CT segmentation model with another input
 * size (96 instead of 192) is fed a tensor of ITS size and its outputs are decoded at ITS size, through the
 * real ModelHost (engine choice by `variantOf`) and the real CT analysis. The engines are scripted stand-ins
 * that, like onnxruntime, refuse a tensor of the wrong shape; their "segmentation" marks bright input pixels
 * as lesion, so a correctly decoded variant finds the same lesions as the original, at the slice's size.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeDicomFile } from '../dicom/decodeDicom.ts';
import type { Engine, EngineSession, ModelBytes } from '../runtime/engine.ts';
import { findModel, inputDims, parseManifest, type ModelEntry } from '../runtime/manifest.ts';
import { ModelHost } from '../runtime/modelHost.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { ctAnalysis } from './ct/index.ts';
import { isAssessed, type CtAssessedRecord } from './ct/ctRecord.ts';

const REPO = path.resolve(__dirname, '../../..');
const DATA = path.resolve(REPO, '../shared/data/dicom-samples');
const shipped = parseManifest(JSON.parse(readFileSync(path.join(REPO, 'models/manifest.json'), 'utf8')));

/** Scripted engine: checks the feed against the entry's input like a real session, computes outputs from it. */
function scriptedEngine(id: Engine['id'], fed: string[]): Engine {
  return {
    id,
    isGpu: () => false,
    backendsFor: async () => ['cpu'],
    describe: async () => 'scripted',
    async createSession({ entry }: ModelBytes): Promise<EngineSession> {
      const want = inputDims(entry.input);
      return {
        modelId: entry.id, backend: 'cpu',
        signature: { inputNames: [entry.input.name], outputNames: entry.outputs.map((o) => o.name) },
        async run(feeds: Record<string, Tensor>) {
          const x = feeds[entry.input.name];
          if (x.dims.join() !== want.join()) throw new Error(`${entry.id}: got input [${x.dims}], expected [${want}]`);
          fed.push(`${entry.id} ${x.dims.join('x')}`);
          return outputsFor(entry, x);
        },
        release: async () => undefined,
      };
    },
  };
}

function outputsFor(entry: ModelEntry, x: Tensor): Record<string, Tensor> {
  const [, , h, w] = x.dims;
  const out: Record<string, Tensor> = {};
  for (const o of entry.outputs) {
    if (o.decode === 'linear') out[o.name] = { data: new Float32Array([20]), dims: [1, 1] };
    else if (o.decode === 'softmax-expectation') out[o.name] = { data: new Float32Array(o.shape[1]), dims: [1, o.shape[1]] };
    // lesion logit = normalised intensity (bright = lesion); classes: consolidation where very bright
    else if (o.decode === 'sigmoid') out[o.name] = { data: x.data.slice(), dims: [1, 1, h, w] };
    else {
      const data = new Float32Array(3 * h * w);
      for (let i = 0; i < h * w; i++) data[2 * h * w + i] = x.data[i] - 1;
      out[o.name] = { data, dims: [1, 3, h, w] };
    }
  }
  return out;
}

/** The shipped CT segmentation entry as a TFJS variant taking 96 x 96 (outputs 96 x 96). */
function smallVariant(original: ModelEntry, bytes: Uint8Array): ModelEntry {
  return {
    ...original,
    id: `${original.id}-small`, format: 'tfjs', variantOf: original.id,
    files: [{ path: `${original.id}-small/model.json`, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, role: 'model' }],
    input: { ...original.input, height: 96, width: 96 },
    outputs: original.outputs.map((o) => ({ ...o, shape: [o.shape[0], o.shape[1], 96, 96] })),
  };
}

async function analyse(useVariant: boolean, fed: string[]): Promise<CtAssessedRecord> {
  const models = ['ct-infection-regression', 'ct-lesion-segmentation'].map((id) => structuredClone(findModel(shipped, id)));
  const host = new ModelHost({
    manifest: { schemaVersion: 1, models },
    engines: { onnx: scriptedEngine('ort-node', fed), tfjs: scriptedEngine('tfjs', fed) },
    loadFile: async () => new Uint8Array(1),
  });
  if (useVariant) {
    const bytes = new TextEncoder().encode('{"scripted": true}');
    await host.registerModel(smallVariant(models[1], bytes), new Map([['model.json', bytes]]));
    await host.setModelEngine('ct-lesion-segmentation', 'tfjs');
  }
  const [image] = await decodeDicomFile(new Uint8Array(readFileSync(path.join(DATA, 'covid19-ny-sbu-ct/A002304_axial_19001231-076.dcm'))), 'ct.dcm');
  const { record } = await ctAnalysis.analyze(image, host);
  if (!isAssessed(record)) throw new Error(record.reason);
  return record;
}

describe('a model variant with another input size', () => {
  it('is fed and decoded per its own manifest entry', async () => {
    const fedOriginal: string[] = [];
    const fedVariant: string[] = [];
    const original = await analyse(false, fedOriginal);
    const variant = await analyse(true, fedVariant);
    expect(fedOriginal).toContain('ct-lesion-segmentation 1x1x192x192');
    expect(fedVariant).toContain('ct-lesion-segmentation-small 1x1x96x96');
    // the report names the model that ran
    expect(variant.models.map((m) => m.id)).toEqual(['ct-infection-regression', 'ct-lesion-segmentation-small']);
    // same lesions found at the slice's own size: areas agree to a few % (96 px is a coarser grid)
    expect(original.lesionAreaPx).toBeGreaterThan(500);
    expect(Math.abs(variant.lesionAreaPx - original.lesionAreaPx)).toBeLessThan(0.05 * original.lesionAreaPx);
    expect(Math.abs(variant.consolidationAreaPx - original.consolidationAreaPx)).toBeLessThan(0.1 * original.consolidationAreaPx + 50);
    expect(variant.lungBox).toEqual(original.lungBox);
  });
});
