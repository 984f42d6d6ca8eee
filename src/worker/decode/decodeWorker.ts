/// <reference lib="webworker" />
/**
 * Module worker: header parsing (ingest) and frame decoding off the main thread. Receives
 * Blobs (no byte copies), transfers decoded pixel buffers back.
 */
import charlsWasm from '@cornerstonejs/codec-charls/decodewasm?url';
import openjpegWasm from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import libjpegTurboWasm from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import { setCodecWasmUrls } from '../../core/dicom/codecs/wasmLocation.ts';
import { rpcHandler } from '../rpc.ts';
import { handleDecodeRequest } from './handleRequest.ts';
import type { DecodeRequest } from './protocol.ts';

setCodecWasmUrls({ charls: charlsWasm, openjpeg: openjpegWasm, libjpegTurbo: libjpegTurboWasm });

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = rpcHandler<DecodeRequest>((message, transfer) => scope.postMessage(message, transfer ?? []), handleDecodeRequest);
scope.onmessage = (event: MessageEvent<DecodeRequest>) => void handle(event.data);
