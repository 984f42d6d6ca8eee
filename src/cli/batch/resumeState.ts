/**
 * `--resume`: which inputs an earlier run already answered, read from its JSONL output. An input
 * counts as answered when any record names it in `file`; a series analysed as a whole when its
 * series record is there (as `series:<UID>`, the unit key of src/cli/study/seriesAnalysis.ts).
 * Records of one unit are written together, and a cut-off last line is ignored. The file is read line by line, so a
 * million-record output needs memory for the set of names only.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

export async function answeredInputs(file: string): Promise<Set<string>> {
  const done = new Set<string>();
  if (!existsSync(file)) return done;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      continue; // a line cut off by a kill: that input runs again
    }
    const { file, series } = (record ?? {}) as { file?: unknown; series?: unknown };
    if (typeof file === 'string') done.add(file);
    if (typeof series === 'string') done.add(`series:${series}`);
  }
  return done;
}
