import type { SliceHeader } from '../../core/series/series.ts';
import type { WorkerFile } from '../decode/protocol.ts';

/**
 * Main thread → prepare worker: an analysis module's whole-series pass (`prepareSeries`; CT: every slice read
 * for the 3-D lungs), run where it cannot block the page. Progress: `{ done, total }` after each slice read;
 * answer: the preparation's structured clone, function-valued fields dropped (the module's `restorePrepared`
 * rebuilds it).
 */
export interface PrepareRequest {
  id: number;
  type: 'prepareSeries';
  moduleId: string;
  /** Every slice of the series, in series order. */
  headers: SliceHeader[];
  /** The slices' files and frames, in series order. */
  files: WorkerFile[];
  frames: number[];
  /** Series indices the host will analyse, ascending. */
  indices: number[];
}

export interface PrepareProgress {
  done: number;
  total: number;
}
