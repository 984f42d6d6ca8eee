// The prepare worker's logic in Node: the CT whole-series pass run there (decoding from Blobs, its answer
// structured-cloned and rebuilt by the module) equals the pass run in place, slice context by slice context.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analysisById } from '../../core/analyses/registry.ts';
import { ingest } from '../../core/ingest/ingest.ts';
import { inputsFromPaths } from '../../core/ingest/nodeInputs.ts';
import { decodeSlice } from '../../core/series/decodeSlice.ts';
import type { CtStudyPreparation } from '../../core/study/ctStudyPreparation.ts';
import { dataRoot } from '../../../e2e/support/paths.ts';
import { handlePrepareRequest } from './handlePrepare.ts';

describe('prepare worker', () => {
  it('gives the same CT preparation as the in-place pass, through a structured clone', async () => {
    const { series } = await ingest(await inputsFromPaths([path.join(dataRoot, 'ct-series/lung-pet-ct-dx-a0002')]));
    const s = series.find((x) => x.slices.length > 1)!;
    const ct = analysisById('ct');
    const headers = s.slices.map((x) => x.header);
    const indices = s.slices.map((_, i) => i);
    const files = await Promise.all(s.slices.map(async (x, i) => ({ id: i + 1, name: x.input.name, blob: new Blob([await readFile(x.input.name)]) })));
    const progress: number[] = [];
    const reply = await handlePrepareRequest(
      { id: 1, type: 'prepareSeries', moduleId: 'ct', headers, files, frames: s.slices.map((x) => x.frameIndex), indices },
      (p) => progress.push(p.done),
    );
    const remote = ct.restorePrepared!(structuredClone(reply.result)) as CtStudyPreparation;
    const local = (await ct.prepareSeries!({ headers, indices, load: (i) => decodeSlice(s.slices[i]) })) as CtStudyPreparation;
    expect(progress.at(-1)).toBe(local.indices.length);
    expect(remote.indices).toEqual(local.indices);
    expect(remote.warnings).toEqual(local.warnings);
    expect(remote.lungs.lungVolumeMl).toBe(local.lungs.lungVolumeMl);
    for (const i of indices) expect(remote.sliceContext(i)).toEqual(local.sliceContext(i));
  });

  it('answers null for a module without a whole-series pass', async () => {
    const reply = await handlePrepareRequest({ id: 1, type: 'prepareSeries', moduleId: 'cxr', headers: [], files: [], frames: [], indices: [] }, () => undefined);
    expect(reply.result).toBeNull();
  });
});
