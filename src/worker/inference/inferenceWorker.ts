/// <reference lib="webworker" />
// The inference worker: hosts the engines and sessions so the UI thread never blocks.
// One inference path for the app, the self-test page and the bench.
import { ANALYSES as analyses, analysisById } from '../../core/analyses/registry.ts';
import type { ModelHost } from '../../core/runtime/modelHost.ts';
import { destroyOrtWebGpuDevice } from '../../core/runtime/ortWebEngine.ts';
import { createWebModelHost } from '../../core/runtime/webModelHost.ts';
import { warmUpSession } from '../../core/runtime/modelWarmUp.ts';
import { ortWasmPaths } from './ortWasmAssets.ts';
import { rpcEvent, rpcHandler, type RpcMessage, type RpcResult } from '../rpc.ts';
import type { InitResult, RegisteredModel, RunModelResult, WorkerRequest } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let host: ModelHost | null = null;

function post(msg: RpcMessage, transfer: Transferable[] = []): void {
  scope.postMessage(msg, transfer);
}

function requireHost(): ModelHost {
  if (!host) throw new Error('Inference worker not initialised: call init(manifestUrl) first');
  return host;
}

async function handle(req: WorkerRequest): Promise<RpcResult> {
  switch (req.type) {
    case 'init': {
      await host?.release();
      host = await createWebModelHost(new URL(req.manifestUrl, scope.location.href), {
        pref: req.pref,
        wasmPaths: ortWasmPaths,
        wasmThreads: req.wasmThreads,
        onProgress: (progress) => rpcEvent(post, 'progress', progress),
        onNotice: (notice) => rpcEvent(post, 'notice', notice),
      });
      const { manifest } = host;
      const result: InitResult = {
        models: manifest.models.map((m) => ({
          id: m.id, name: m.name, task: m.task, modality: m.modality, format: m.format,
          bytes: m.files.reduce((a, f) => a + f.bytes, 0),
          ...(m.variantOf ? { variantOf: m.variantOf } : {}),
        })),
        analyses: analyses.map((a) => ({ id: a.id, modality: a.modality, models: a.models })),
        backend: await host.backendInfo(),
        engineChoices: host.engineChoices(),
      };
      return { result };
    }
    case 'loadModel': {
      const s = await requireHost().getSession(req.modelId);
      return { result: { backend: s.backend } };
    }
    case 'warmUp': {
      const h = requireHost();
      for (const id of req.modelIds) await warmUpSession(await h.getSession(id));
      return { result: true };
    }
    case 'runModel': {
      const s = await requireHost().getSession(req.modelId);
      const started = performance.now();
      const outputs = await s.run(req.feeds);
      const result: RunModelResult = { outputs, backend: s.backend, runMs: performance.now() - started };
      return { result, transfer: transferables(outputs) };
    }
    case 'runAnalysis': {
      const result = await analysisById(req.analysisId).analyze(req.image, requireHost(), req.slice);
      // the masks are the worker's own fresh arrays: hand them over instead of copying
      return { result, transfer: transferables(result.masks) };
    }
    case 'backendInfo':
      return { result: await requireHost().backendInfo() };
    case 'setBackend': {
      const h = requireHost();
      await h.setBackend(req.pref);
      return { result: await h.backendInfo() };
    }
    case 'simulateGpuLoss':
      return { result: await destroyOrtWebGpuDevice() };
    case 'setModelEngine': {
      const h = requireHost();
      await h.setModelEngine(req.modelId, req.format);
      return { result: h.engineChoices() };
    }
    case 'engineChoices':
      return { result: requireHost().engineChoices() };
    case 'registerModel': {
      const h = requireHost();
      const entry = await h.registerModel(req.entry, new Map(Object.entries(req.files)));
      const s = await h.getSession(entry.id);
      const summary: RegisteredModel = {
        id: entry.id, name: entry.name, task: entry.task, modality: entry.modality, format: entry.format,
        bytes: entry.files.reduce((a, f) => a + f.bytes, 0), backend: s.backend,
        ...(entry.variantOf ? { variantOf: entry.variantOf } : {}),
      };
      return { result: summary };
    }
    case 'unregisterModel':
      await requireHost().unregisterModel(req.modelId);
      return { result: true };
  }
}

function transferables(arrays: Record<string, { data: ArrayBufferView } | undefined>): Transferable[] {
  const buffers = new Set<ArrayBuffer>();
  for (const t of Object.values(arrays)) {
    if (t?.data.buffer instanceof ArrayBuffer) buffers.add(t.data.buffer);
  }
  return [...buffers];
}

// Requests are handled one at a time: sessions are shared, and a GPU fallback mid-request
// must not interleave with another request on the same session.
const answer = rpcHandler<WorkerRequest>(post, (req) => handle(req), { serial: true });
scope.onmessage = (ev: MessageEvent<WorkerRequest>) => void answer(ev.data);
