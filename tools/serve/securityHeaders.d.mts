// Types for securityHeaders.mjs (plain JS so dist/serve.mjs runs on bare Node).
export declare const cspDirectives: ReadonlyArray<readonly [string, string]>;
export declare function contentSecurityPolicy(options?: { forMeta?: boolean }): string;
export declare function securityHeaders(): Record<string, string>;
export declare const mimeTypes: Readonly<Record<string, string>>;
