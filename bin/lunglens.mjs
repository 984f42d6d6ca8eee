#!/usr/bin/env node
// Runs the TypeScript CLI straight from source (no build step): tsx's ESM loader is
// registered first, then src/cli/main.ts is imported and given the arguments.
// A long command line (thousands of paths) is first moved off argv: onnxruntime-node crashes
// on command lines of ~30 KB (see src/cli/batch/shortCommandLine.ts).
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register();
const cli = await import(fileURLToPath(new URL('../src/cli/batch/shortCommandLine.ts', import.meta.url)));
const args = cli.userArguments(process.argv.slice(2));
if (cli.commandLineBytes(cli.currentCommandLine()) > cli.MAX_COMMAND_LINE_BYTES) {
  process.exitCode = await cli.relaunchWithShortCommandLine(fileURLToPath(import.meta.url), args);
} else {
  const { main } = await import(fileURLToPath(new URL('../src/cli/main.ts', import.meta.url)));
  process.exitCode = await main(args);
}
