// Service worker registration and the update flow, as a Svelte-compatible store.
// Registered in production builds only: in `vite dev` a worker caching stale modules would fight HMR.
import { writable, type Readable } from 'svelte/store';
import type { ServiceWorkerInfo, ServiceWorkerRequest } from '../../sw/precacheManifest.ts';

export type OfflineStatus =
  /** No service worker: dev build, unsupported browser, or an insecure (non-localhost http) origin. */
  | 'unsupported'
  /** First visit: the worker is downloading the app and models. */
  | 'installing'
  /** Everything is precached: the app starts and analyses with the network off. */
  | 'ready'
  /** A new version is installed and waiting; applyUpdate() switches to it and reloads. */
  | 'update-available'
  | 'error';

export interface OfflineState {
  status: OfflineStatus;
  /** navigator.onLine — informative only; the app works either way once 'ready'. */
  online: boolean;
  /** Versions and sizes of what the active worker precached (once known). */
  info: ServiceWorkerInfo | null;
  /** Why 'unsupported' or 'error'. */
  detail: string | null;
}

export interface OfflineController {
  readonly state: Readable<OfflineState>;
  /** Activate the waiting version; the page reloads once it has taken control. */
  applyUpdate(): void;
  /** Ask the server whether sw.js changed (the browser also checks on each navigation). */
  checkForUpdate(): Promise<void>;
}

export interface StartOfflineOptions {
  /** Defaults to import.meta.env.PROD. */
  enabled?: boolean;
  /** Defaults to `${import.meta.env.BASE_URL}sw.js`. */
  serviceWorkerUrl?: string;
}

/** Ask a worker for its precache info over a MessageChannel. */
function requestInfo(worker: ServiceWorker, timeoutMs = 3000): Promise<ServiceWorkerInfo | null> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), timeoutMs);
    channel.port1.onmessage = (e: MessageEvent<ServiceWorkerInfo>) => {
      clearTimeout(timer);
      resolve(e.data);
    };
    const msg: ServiceWorkerRequest = { type: 'lunglens:get-info' };
    worker.postMessage(msg, [channel.port2]);
  });
}

let singleton: OfflineController | undefined;

/** Registers the service worker once per page and tracks its state. Safe to call repeatedly. */
export function startOffline(options: StartOfflineOptions = {}): OfflineController {
  if (singleton) return singleton;
  const online = typeof navigator !== 'undefined' ? navigator.onLine : true;
  const store = writable<OfflineState>({ status: 'installing', online, info: null, detail: null });
  const patch = (p: Partial<OfflineState>) => store.update((s) => ({ ...s, ...p }));
  let registration: ServiceWorkerRegistration | undefined;
  let reloadOnControllerChange = false;

  const controller: OfflineController = {
    state: { subscribe: store.subscribe },
    applyUpdate() {
      const waiting = registration?.waiting;
      if (!waiting) return;
      reloadOnControllerChange = true;
      const msg: ServiceWorkerRequest = { type: 'lunglens:skip-waiting' };
      waiting.postMessage(msg);
    },
    async checkForUpdate() {
      await registration?.update();
    },
  };
  singleton = controller;

  const enabled = options.enabled ?? import.meta.env.PROD;
  if (!enabled) {
    patch({ status: 'unsupported', detail: 'development build (no service worker)' });
    return controller;
  }
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) {
    patch({
      status: 'unsupported',
      detail: window.isSecureContext ? 'this browser has no service workers' : 'needs https:// or http://localhost',
    });
    return controller;
  }

  window.addEventListener('online', () => patch({ online: true }));
  window.addEventListener('offline', () => patch({ online: false }));
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloadOnControllerChange) window.location.reload();
  });

  const markReady = async (worker: ServiceWorker) => {
    const info = await requestInfo(worker);
    store.update((s) => (s.status === 'update-available' ? { ...s, info } : { ...s, status: 'ready', info }));
  };
  // A worker that finished installing while another one controls the page is a new version.
  const watchInstalling = (worker: ServiceWorker) => {
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed' && navigator.serviceWorker.controller) patch({ status: 'update-available' });
      else if (worker.state === 'activated' && !reloadOnControllerChange) void markReady(worker);
      else if (worker.state === 'redundant' && !registration?.active) {
        patch({ status: 'error', detail: 'the offline copy could not be installed (see the console)' });
      }
    });
  };

  const url = options.serviceWorkerUrl ?? `${import.meta.env.BASE_URL}sw.js`;
  navigator.serviceWorker
    .register(url, { scope: import.meta.env.BASE_URL })
    .then((reg) => {
      registration = reg;
      if (reg.waiting && navigator.serviceWorker.controller) patch({ status: 'update-available' });
      else if (reg.active) void markReady(reg.active);
      if (reg.installing) watchInstalling(reg.installing);
      reg.addEventListener('updatefound', () => {
        if (reg.installing) watchInstalling(reg.installing);
      });
      // Browsers check sw.js on navigation; a tab left open all day also checks hourly.
      setInterval(() => {
        if (navigator.onLine) reg.update().catch(() => undefined);
      }, 60 * 60 * 1000);
    })
    .catch((e: unknown) => patch({ status: 'error', detail: e instanceof Error ? e.message : String(e) }));

  return controller;
}
