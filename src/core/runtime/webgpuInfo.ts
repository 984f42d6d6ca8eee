/** What we learned about the WebGPU adapter, for backend choice and the diagnostics badge. */
export interface WebGpuInfo {
  description: string;
  /** SwiftShader / llvmpipe / WARP etc.: runs on the CPU, far slower than WASM. */
  software: boolean;
}

const SOFTWARE_HINT = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|warp/i;

// Minimal structural WebGPU types: TypeScript's lib.dom has none, and @webgpu/types is not in tsconfig.
interface AdapterInfoLike { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }
interface AdapterLike { info?: AdapterInfoLike; isFallbackAdapter?: boolean }
interface GpuLike { requestAdapter(): Promise<AdapterLike | null> }

/** Probes navigator.gpu (window or worker); null when WebGPU is unavailable. */
export async function probeWebGpu(): Promise<WebGpuInfo | null> {
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return null;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return null;
    const info = adapter.info;
    const parts = [info?.description, info?.vendor, info?.architecture, info?.device].filter((s): s is string => !!s);
    const description = info?.description || [info?.vendor, info?.architecture].filter(Boolean).join(' ') || 'unknown adapter';
    const fallbackFlag = adapter.isFallbackAdapter ?? info?.isFallbackAdapter;
    return { description, software: !!fallbackFlag || SOFTWARE_HINT.test(parts.join(' ')) };
  } catch {
    return null;
  }
}

export function describeWebGpu(info: WebGpuInfo, prefix = 'WebGPU'): string {
  return `${prefix} · ${info.description}${info.software ? ' (software adapter — slower than WASM)' : ''}`;
}

export function wasmThreads(): number {
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return globalThis.crossOriginIsolated ? Math.max(1, Math.min(4, cores)) : 1;
}
