/// <reference lib="webworker" />
/** Module worker: an analysis' whole-series pass (see protocol.ts), off the page's main thread. */
import charlsWasm from '@cornerstonejs/codec-charls/decodewasm?url';
import openjpegWasm from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import libjpegTurboWasm from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import { setCodecWasmUrls } from '../../core/dicom/codecs/wasmLocation.ts';
import { rpcHandler } from '../rpc.ts';
import { handlePrepareRequest } from './handlePrepare.ts';
import type { PrepareRequest } from './protocol.ts';

setCodecWasmUrls({ charls: charlsWasm, openjpeg: openjpegWasm, libjpegTurbo: libjpegTurboWasm });

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = rpcHandler<PrepareRequest>((message, transfer) => scope.postMessage(message, transfer ?? []), (req, progress) => handlePrepareRequest(req, progress));
scope.onmessage = (event: MessageEvent<PrepareRequest>) => void handle(event.data);
