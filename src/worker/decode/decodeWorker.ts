/// <reference lib="webworker" />
/**
 * Module worker: header parsing (ingest) and frame decoding off the main thread. Receives
 * Blobs (no byte copies), transfers decoded pixel buffers back.
 */
import charlsWasm from '@cornerstonejs/codec-charls/decodewasm?url';
import openjpegWasm from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import libjpegTurboWasm from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import { setCodecWasmUrls } from '../../core/dicom/codecs/wasmLocation.ts';
import { handleRequest } from './handleRequest.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';

setCodecWasmUrls({ charls: charlsWasm, openjpeg: openjpegWasm, libjpegTurbo: libjpegTurboWasm });

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  void handleRequest(event.data, (message: WorkerResponse, transfer?: Transferable[]) => scope.postMessage(message, transfer ?? []));
};
