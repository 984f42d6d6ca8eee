/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { cspPlugin } from './tools/vite/cspPlugin.ts';
import { offlinePlugin } from './tools/vite/offlinePlugin.ts';
import { modelsPlugin } from './tools/vite/modelsPlugin.ts';

// Cross-origin isolation: lets onnxruntime-web use SharedArrayBuffer (WASM threads).
// The same headers must be set by whatever serves the built app (see README).
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  plugins: [svelte(), cspPlugin(), modelsPlugin(), offlinePlugin()],
  server: { headers: isolationHeaders, port: 5173, strictPort: true },
  preview: { headers: isolationHeaders, port: 4173, strictPort: true },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // The runtime self-test page (WebGPU vs WASM parity in Playwright) is built beside the app, never linked from it.
    rolldownOptions: { input: { main: 'index.html', runtimeTest: 'e2e/fixtures/runtime/runtime-test.html' } },
  },
  test: {
    include: ['src/**/*.test.ts', 'tools/**/*.test.ts', 'training/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
