import { DicomError } from '../../core/dicom/dicomError.ts';
import { inputFromBlob } from '../../core/ingest/browserInputs.ts';
import { ingest } from '../../core/ingest/ingest.ts';
import { loadImages } from '../../core/ingest/loadImages.ts';
import type { RpcResult } from '../rpc.ts';
import type { DecodeRequest, IngestedReply } from './protocol.ts';

/**
 * The decode worker's logic, free of `self` so it can be unit-tested in Node. The last few files'
 * bytes are cached by the client's file id: scrolling a multi-frame object must not re-read the
 * file per frame. Errors are DicomErrors (their code names the reason in the UI).
 */
const cache = new Map<number, Promise<Uint8Array>>();
const cacheSize = 3;

export async function handleDecodeRequest(request: DecodeRequest, progress: (p: unknown) => void): Promise<RpcResult> {
  try {
    if (request.type === 'ingest') {
      const inputs = request.files.map((f) => inputFromBlob(f.blob, f.name));
      const result = await ingest(inputs, progress);
      const reply: IngestedReply = {
        series: result.series.map((s) => ({
          ...s,
          slices: s.slices.map(({ inputIndex, frameIndex, header }) => ({ inputIndex, frameIndex, header })),
        })),
        errors: result.errors,
      };
      return { result: reply };
    }
    const { file, frameIndex } = request;
    for await (const image of loadImages(await cachedBytes(file.id, file.blob), file.name, [frameIndex])) {
      return { result: image, transfer: [image.pixels.buffer as ArrayBuffer] };
    }
    throw new DicomError('decode-failed', `${file.name}: no frame ${frameIndex}`);
  } catch (e) {
    if (e instanceof DicomError) throw e;
    const where = request.type === 'decode' ? `${request.file.name}: ` : '';
    throw new DicomError('decode-failed', `${where}${e instanceof Error ? e.message : String(e)}`);
  }
}

function cachedBytes(key: number, blob: Blob): Promise<Uint8Array> {
  let p = cache.get(key);
  if (p) {
    cache.delete(key); // re-insert: most recent last
  } else {
    p = blob.arrayBuffer().then((b) => new Uint8Array(b));
    p.catch(() => cache.delete(key));
  }
  cache.set(key, p);
  while (cache.size > cacheSize) cache.delete(cache.keys().next().value as number);
  // decoding never mutates the bytes; pixels are fresh arrays, so transfers are safe.
  return p;
}
