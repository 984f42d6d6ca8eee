import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureXmlHttpRequest } from '../../core/pacs/fetchXmlHttpRequest.ts';
import { PacsClient } from '../../core/pacs/pacsClient.ts';

/** A study pulled from a PACS into a temporary folder (removed by `dispose`). */
export interface PulledStudy {
  files: string[];
  skipped: string[];
  dispose(): Promise<void>;
}

export function cliPacsClient(url: string): PacsClient {
  ensureXmlHttpRequest();
  return new PacsClient({ url });
}

/** WADO-RS: the study's image series into a temp folder, with progress on stderr. */
export async function pullStudy(client: PacsClient, studyInstanceUID: string, log: (line: string) => void): Promise<PulledStudy> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lunglens-study-'));
  try {
    let last = -1;
    const { files, skipped } = await client.retrieveStudy(studyInstanceUID, (p) => {
      const pct = Math.floor((100 * p.done) / Math.max(1, p.total));
      if (pct !== last && (pct % 10 === 0 || p.done === p.total)) log(`retrieving ${p.done}/${p.total}`);
      last = pct;
    });
    const written: string[] = [];
    for (const [i, f] of files.entries()) {
      const target = path.join(dir, `${String(i + 1).padStart(5, '0')}.dcm`);
      await writeFile(target, new Uint8Array(f.bytes));
      written.push(target);
    }
    return {
      files: written,
      skipped: skipped.map((s) => `${s.modality} ${s.seriesInstanceUID}`),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
