// The slice of dcmjs's (untyped) API that LungLens uses: reading a header, and encoding a
// naturalized dataset as a DICOM Part 10 file.
declare module 'dcmjs' {
  /** dcmjs's "naturalized" dataset: keyword → value, sequences as arrays of datasets. */
  export type NaturalDataset = Record<string, unknown>;
  export type DenaturalDataset = Record<string, { vr: string; Value?: unknown[] }>;

  class DicomDict {
    constructor(meta: DenaturalDataset);
    meta: DenaturalDataset;
    dict: DenaturalDataset;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }
  const DicomMetaDictionary: {
    naturalizeDataset(dict: DenaturalDataset): NaturalDataset;
    denaturalizeDataset(dataset: NaturalDataset): DenaturalDataset;
  };
  const DicomMessage: {
    readFile(
      buffer: ArrayBuffer,
      options?: { ignoreErrors?: boolean; untilTag?: string | null; includeUntilTagValue?: boolean; noCopy?: boolean },
    ): { meta: DenaturalDataset; dict: DenaturalDataset };
  };
  /** loglevel instance dcmjs logs through. */
  const log: { getLevel(): number; setLevel(level: number | 'silent' | 'error' | 'warn', persist?: boolean): void };
  const dcmjs: { log: typeof log; data: { DicomDict: typeof DicomDict; DicomMetaDictionary: typeof DicomMetaDictionary; DicomMessage: typeof DicomMessage } };
  export default dcmjs;
}
