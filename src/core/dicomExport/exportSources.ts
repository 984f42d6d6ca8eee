import type { ExportInput } from '../analyses/analysisModule.ts';
import { readSourceInstance, sourceSeriesOf, type SourceSeries } from './sourceImages.ts';
import type { AlgorithmId, ProducerInfo } from './studyModules.ts';
import { version } from '../../../package.json';

/** LungLens as the producer of every exported object. */
export const lunglensProducer: ProducerInfo = { softwareVersion: version };

/**
 * The source series of an export, read from the DICOM files themselves (patient, study, frame of
 * reference and each image's identity): the headers the app keeps leave patient data out on purpose.
 */
export async function sourceSeriesFor<R, S>(input: ExportInput<R, S>, indices?: readonly number[]): Promise<SourceSeries> {
  if (!input.file) throw new Error('DICOM export needs the source DICOM files (this series did not come from DICOM files).');
  const wanted = indices ?? input.headers.map((_, i) => i);
  if (wanted.some((i) => (input.headers[i]?.numberOfFrames ?? 1) > 1)) {
    throw new Error('DICOM export of multi-frame images is not supported yet: export JSON/CSV instead.');
  }
  const instances = [];
  for (const i of wanted) instances.push(readSourceInstance(await input.file(i)));
  return sourceSeriesOf(instances);
}

/** The algorithm id of a model named in a record (id + version from the manifest entry that ran). */
export function algorithmOf(models: readonly { id: string; version?: string }[], id: string): AlgorithmId {
  const m = models.find((x) => x.id === id);
  return { modelId: m?.id ?? id, version: m?.version ?? 'unknown' };
}

/** File names carry UIDs only, never a patient's name. */
export const safeUid = (uid: string | undefined, fallback: string) => (uid && /^[0-9.]+$/.test(uid) ? uid : fallback);
