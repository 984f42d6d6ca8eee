import { DicomError } from '../../core/dicom/dicomError.ts';
import { inputFromBlob } from '../../core/ingest/browserInputs.ts';
import { ingest } from '../../core/ingest/ingest.ts';
import { decodeSliceBytes } from '../../core/series/decodeSliceBytes.ts';
import type { WorkerRequest, WorkerResponse, WireSeries } from './protocol.ts';

type Post = (message: WorkerResponse, transfer?: Transferable[]) => void;

/**
 * The worker's logic, free of `self` so it can be unit-tested in Node. The last few files'
 * bytes are cached: scrolling a multi-frame object must not re-read the file per frame.
 */
const cache = new Map<string, Promise<Uint8Array>>();
const cacheSize = 3;

export async function handleRequest(request: WorkerRequest, post: Post): Promise<void> {
  try {
    if (request.type === 'ingest') {
      const inputs = request.files.map((f) => inputFromBlob(f.blob, f.name));
      const result = await ingest(inputs, (progress) => post({ id: request.id, type: 'progress', progress }));
      const series: WireSeries[] = result.series.map((s) => ({
        ...s,
        slices: s.slices.map(({ inputIndex, frameIndex, header }) => ({ inputIndex, frameIndex, header })),
      }));
      post({ id: request.id, type: 'ingested', series, errors: result.errors });
      return;
    }
    const { file, frameIndex } = request;
    const image = await decodeSliceBytes(await cachedBytes(file.name, file.blob), file.name, frameIndex);
    post({ id: request.id, type: 'decoded', image }, [image.pixels.buffer as ArrayBuffer]);
  } catch (e) {
    const err = e instanceof DicomError ? e : new DicomError('decode-failed', e instanceof Error ? e.message : String(e));
    post({ id: request.id, type: 'error', error: { code: err.code, message: err.message, action: err.action } });
  }
}

function cachedBytes(name: string, blob: Blob): Promise<Uint8Array> {
  const key = `${name}|${blob.size}`;
  let p = cache.get(key);
  if (p) {
    cache.delete(key); // re-insert: most recent last
  } else {
    p = blob.arrayBuffer().then((b) => new Uint8Array(b));
    p.catch(() => cache.delete(key));
  }
  cache.set(key, p);
  while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
  // decodeSliceBytes never mutates the bytes; pixels are fresh arrays, so transfers are safe.
  return p;
}
