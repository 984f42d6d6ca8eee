import { inputFromBlob } from '../../core/ingest/browserInputs.ts';
import type { IngestInput } from '../../core/ingest/ingestInput.ts';
import type { RetrievedFile } from '../../core/pacs/pacsClient.ts';

/** Retrieved instances as ingest inputs: in-memory Blobs (the decode worker receives Blobs), nothing written anywhere. */
export function inputsFromRetrieved(files: readonly RetrievedFile[]): IngestInput[] {
  return files.map((f) => inputFromBlob(new Blob([f.bytes], { type: 'application/dicom' }), f.name));
}

/** OHIF's convention: `/?StudyInstanceUIDs=<uid>` opens that study (the first, if several are listed). */
export function studyUidFromUrl(search: string): string | null {
  const raw = new URLSearchParams(search).get('StudyInstanceUIDs');
  const uid = raw?.split(',')[0]?.trim();
  return uid && /^[0-9.]+$/.test(uid) ? uid : null;
}
