/// <reference lib="webworker" />
// The inference worker: hosts the engines and sessions so the UI thread never blocks.
// One inference path for the app, the self-test page and the bench.
import { ANALYSES as analyses } from '../../core/analyses/registry.ts';
import { parseManifest } from '../../core/runtime/manifest.ts';
import { ModelHost } from '../../core/runtime/modelHost.ts';
import { fetchModelFile } from '../../core/runtime/modelFiles.ts';
import { createOrtWebEngine, destroyOrtWebGpuDevice } from '../../core/runtime/ortWebEngine.ts';
import { createTfjsEngine } from '../../core/runtime/tfjsEngine.ts';
import type { Tensor } from '../../core/runtime/tensor.ts';
import { ortWasmPaths } from './ortWasmAssets.ts';
import type { InitResult, RegisteredModel, RunModelResult, WorkerMessage, WorkerRequest } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let host: ModelHost | null = null;

function post(msg: WorkerMessage, transfer: Transferable[] = []): void {
  scope.postMessage(msg, transfer);
}

function requireHost(): ModelHost {
  if (!host) throw new Error('Inference worker not initialised: call init(manifestUrl) first');
  return host;
}

async function handle(req: WorkerRequest): Promise<{ result: unknown; transfer?: Transferable[] }> {
  switch (req.type) {
    case 'init': {
      await host?.release();
      const manifestUrl = new URL(req.manifestUrl, scope.location.href);
      const response = await fetch(manifestUrl);
      if (!response.ok) throw new Error(`Model manifest not found: ${manifestUrl.pathname} (HTTP ${response.status})`);
      const manifest = parseManifest(await response.json());
      host = new ModelHost({
        manifest,
        pref: req.pref,
        engines: { onnx: createOrtWebEngine({ wasmPaths: ortWasmPaths }), tfjs: createTfjsEngine() },
        loadFile: (file) => fetchModelFile(manifestUrl, file, { onProgress: (progress) => post({ type: 'progress', progress }) }),
        onNotice: (notice) => post({ type: 'notice', notice }),
      });
      const result: InitResult = {
        models: manifest.models.map((m) => ({
          id: m.id, name: m.name, task: m.task, modality: m.modality, format: m.format,
          bytes: m.files.reduce((a, f) => a + f.bytes, 0),
          ...(m.variantOf ? { variantOf: m.variantOf } : {}),
        })),
        analyses: analyses.map((a) => ({ id: a.id, modality: a.modality, modelIds: a.modelIds })),
        backend: await host.backendInfo(),
        engineChoices: host.engineChoices(),
      };
      return { result };
    }
    case 'loadModel': {
      const s = await requireHost().getSession(req.modelId);
      return { result: { backend: s.backend } };
    }
    case 'runModel': {
      const s = await requireHost().getSession(req.modelId);
      const outputs = await s.run(req.feeds);
      const result: RunModelResult = { outputs, backend: s.backend };
      return { result, transfer: transferables(outputs) };
    }
    case 'runAnalysis': {
      const analysis = analyses.find((a) => a.id === req.analysisId);
      if (!analysis) throw new Error(`Unknown analysis "${req.analysisId}" (have: ${analyses.map((a) => a.id).join(', ') || 'none'})`);
      return { result: await analysis.analyze(req.image, requireHost()) };
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

function transferables(outputs: Record<string, Tensor>): Transferable[] {
  const buffers = new Set<ArrayBuffer>();
  for (const t of Object.values(outputs)) {
    if (t.data.buffer instanceof ArrayBuffer) buffers.add(t.data.buffer);
  }
  return [...buffers];
}

// Requests are handled one at a time: sessions are shared, and a GPU fallback mid-request
// must not interleave with another request on the same session.
let chain: Promise<void> = Promise.resolve();
scope.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  const req = ev.data;
  chain = chain.then(async () => {
    try {
      const { result, transfer } = await handle(req);
      post({ id: req.id, ok: true, result }, transfer);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ id: req.id, ok: false, error: { name: err.name, message: err.message } });
    }
  });
};
