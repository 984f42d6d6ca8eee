import path from 'node:path';
import { ingest } from '../../ingest/ingest.ts';
import { inputsFromPaths } from '../../ingest/nodeInputs.ts';
import { decodeSlice } from '../../series/decodeSlice.ts';
import type { Series } from '../../series/series.ts';
import { readSourceInstance, sourceSeriesOf, type SourceSeries } from '../sourceImages.ts';

/** The shared real data (../shared/data), never copied into the repo. */
const dataRoot = path.resolve(import.meta.dirname, '../../../../../shared/data');
export const ctSeriesDir = (name: 'lidc-idri-0001' | 'lung-pet-ct-dx-a0002') => path.join(dataRoot, 'ct-series', name);
export const radiographFile = path.join(dataRoot, 'dicom-samples/cr-dx-chest/gdcm-CR-MONO1-10-chest.dcm');

export interface LoadedSeries {
  series: Series;
  source: SourceSeries;
  /** Hounsfield units per slice, in series order. */
  hu: Float32Array[];
}

/** Ingests a folder (sorted as the app sorts), reads each slice's header with dcmjs and decodes it to HU. */
export async function loadCtSeries(dir: string): Promise<LoadedSeries> {
  const { series } = await ingest(await inputsFromPaths([dir]));
  const ct = series.find((s) => s.modality === 'CT');
  if (!ct) throw new Error(`no CT series in ${dir}`);
  const instances = [];
  const hu: Float32Array[] = [];
  for (const slice of ct.slices) {
    instances.push(readSourceInstance(new Uint8Array(await slice.input.read())));
    hu.push(Float32Array.from((await decodeSlice(slice)).pixels));
  }
  return { series: ct, source: sourceSeriesOf(instances), hu };
}

/** A model-free mask for writer tests: HU inside [lo, hi). */
export function huMask(hu: Float32Array, lo: number, hi: number): Uint8Array {
  const m = new Uint8Array(hu.length);
  for (let i = 0; i < hu.length; i++) m[i] = hu[i] >= lo && hu[i] < hi ? 1 : 0;
  return m;
}
