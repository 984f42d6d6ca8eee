import type { IngestInput } from './ingestInput.ts';

/**
 * Adapters from the browser's ways of handing over files to IngestInput. Only types from
 * the DOM are used, no document/window, so this also runs inside a worker.
 */

export function inputFromBlob(blob: Blob, name: string): IngestInput {
  return { name, size: blob.size, read: () => blob.arrayBuffer(), blob };
}

/** <input type=file multiple webkitdirectory> or a drop's plain file list. */
export function inputsFromFiles(files: Iterable<File> | ArrayLike<File>): IngestInput[] {
  return Array.from(files as ArrayLike<File>).map((f) =>
    inputFromBlob(f, (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name),
  );
}

/**
 * Drag-and-drop: pass `Array.from(event.dataTransfer.items)`. Must be called synchronously
 * in the drop handler (the items die afterwards), so it grabs the entries first.
 */
export function inputsFromDataTransferItems(items: DataTransferItem[]): Promise<IngestInput[]> {
  const entries: FileSystemEntry[] = [];
  const looseFiles: File[] = [];
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) looseFiles.push(f);
    }
  }
  return (async () => {
    const out = inputsFromFiles(looseFiles);
    for (const entry of entries) out.push(...(await inputsFromEntry(entry)));
    return out;
  })();
}

/** Walks a FileSystemEntry tree (folders dropped onto the page). */
async function inputsFromEntry(entry: FileSystemEntry, prefix = ''): Promise<IngestInput[]> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    return [inputFromBlob(file, path)];
  }
  if (!entry.isDirectory) return [];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const out: IngestInput[] = [];
  // readEntries returns at most ~100 entries per call; keep calling until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) out.push(...(await inputsFromEntry(child, path)));
  }
  return out;
}

/** Minimal shape of showDirectoryPicker()'s handle (lib.dom lacks the async iterator). */
interface DirectoryHandleLike {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<DirectoryHandleLike | FileHandleLike>;
}
interface FileHandleLike {
  kind: 'file';
  name: string;
  getFile(): Promise<File>;
}

/** `await showDirectoryPicker()` → inputs for every file below it (recursive). */
export async function inputsFromDirectoryHandle(dir: DirectoryHandleLike, prefix = ''): Promise<IngestInput[]> {
  const base = prefix ? `${prefix}/${dir.name}` : dir.name;
  const out: IngestInput[] = [];
  for await (const handle of dir.values()) {
    if (handle.kind === 'file') out.push(inputFromBlob(await handle.getFile(), `${base}/${handle.name}`));
    else out.push(...(await inputsFromDirectoryHandle(handle, base)));
  }
  return out;
}
