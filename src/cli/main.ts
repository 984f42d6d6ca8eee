/**
 * `lunglens <command> ...`: a small command table; each command module is imported only
 * when used (analyze pulls in onnxruntime, inspect does not). Returns the exit code.
 */
type CommandRun = (argv: string[]) => Promise<number>;

interface Command {
  summary: string;
  load: () => Promise<CommandRun>;
}

export const commands: Record<string, Command> = {
  inspect: {
    summary: 'inspect <files or folders...> [--json]   header + pixel statistics per file',
    load: async () => (await import('./inspectCommand.ts')).inspectCommand,
  },
  analyze: {
    // Continuation lines are indented under the command; the PACS form is a second usage line.
    summary: 'analyze <files or folders...> [--json | --jsonl [--output FILE] [--resume]] [--modality ct|cxr]\n' +
      '                 [--series-only] [--masks-out DIR] [--dicom-out DIR] [--nifti-out DIR] [--csv FILE]\n' +
      '                 [--files-from FILE|-] [--shard K/N] [--jobs N]   run the analyses\n' +
      '  lunglens analyze --dicomweb URL --study StudyInstanceUID [--store] [--json]   a study from a PACS',
    load: async () => (await import('./analyzeCommand.ts')).analyzeCommand,
  },
};

function usage(): string {
  const lines = Object.values(commands).map((c) => `  lunglens ${c.summary}`);
  return `Usage:\n${lines.join('\n')}\n\nResearch tool, not a medical device. Files never leave this machine.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`lunglens: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const run = await command.load();
  return run(rest);
}

const invokedDirectly = process.argv[1] && /main\.ts$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
