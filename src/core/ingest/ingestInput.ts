/**
 * One file to ingest, independent of where it came from (browser File, directory handle,
 * Node path). `read()` is called lazily so 1,000 files are never all in memory at once.
 */
export interface IngestInput {
  /** Relative path (folder/file.dcm) or file name; shown to the user, never uploaded. */
  name: string;
  size: number;
  read(): Promise<ArrayBuffer>;
  /** Browser inputs keep their Blob so a worker can receive it without copying bytes. */
  blob?: Blob;
}
