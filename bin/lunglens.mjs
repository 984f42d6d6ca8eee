#!/usr/bin/env node
// Runs the TypeScript CLI straight from source (no build step): tsx's ESM loader is
// registered first, then src/cli/main.ts is imported and given the arguments.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register();
const { main } = await import(fileURLToPath(new URL('../src/cli/main.ts', import.meta.url)));
process.exitCode = await main(process.argv.slice(2));
