// Types for serve.mjs (plain JS: it must run on bare Node from dist/).
import type { RequestListener, Server } from 'node:http';
export interface ServeOptions { port: number; host: string; root: string; dicomweb?: URL; dicomwebTimeoutMs?: number }
export declare function staticHandler(root: string, options?: { dicomweb?: URL; dicomwebTimeoutMs?: number }): RequestListener;
export declare function parseArgs(argv: string[]): ServeOptions;
export declare function startServer(opts: ServeOptions): Promise<{ server: Server; url: string }>;
