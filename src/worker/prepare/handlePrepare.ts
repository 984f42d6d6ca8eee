import { analysisById } from '../../core/analyses/registry.ts';
import type { MedicalImage } from '../../core/image/medicalImage.ts';
import { loadImages } from '../../core/ingest/loadImages.ts';
import type { RpcResult } from '../rpc.ts';
import type { PrepareProgress, PrepareRequest } from './protocol.ts';

/** Files read ahead of the one being decoded: a Blob read is a round trip to the browser process. */
const READ_AHEAD = 6;

/** The prepare worker's logic, free of `self` (unit-testable in Node): decodes here, so no pixel crosses threads. */
export async function handlePrepareRequest(req: PrepareRequest, progress: (p: PrepareProgress) => void): Promise<RpcResult> {
  const module = analysisById(req.moduleId);
  if (!module.prepareSeries) return { result: null };
  const reads = new Map<number, Promise<ArrayBuffer>>();
  const read = (index: number): Promise<ArrayBuffer> => {
    let r = reads.get(index);
    if (!r) reads.set(index, (r = req.files[index].blob.arrayBuffer()));
    return r;
  };
  // the module reads the analysed slices in ascending order: read the next few while this one decodes
  const order = [...req.indices];
  const load = async (index: number): Promise<MedicalImage> => {
    const k = order.indexOf(index);
    for (let j = k + 1; j <= k + READ_AHEAD && j < order.length; j++) void read(order[j]).catch(() => undefined);
    const bytes = new Uint8Array(await read(index));
    reads.delete(index);
    for await (const image of loadImages(bytes, req.files[index].name, [req.frames[index]])) return image;
    throw new Error(`${req.files[index].name}: no frame ${req.frames[index]}`);
  };
  const prepared = await module.prepareSeries({
    headers: req.headers,
    indices: req.indices,
    load,
    onRead: (done, total) => progress({ done, total }),
  });
  return { result: withoutFunctions(prepared) };
}

/** A shallow copy without function-valued fields: what structured clone can carry. */
function withoutFunctions(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v !== 'function'));
}
