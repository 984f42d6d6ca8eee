import { describe, expect, it } from 'vitest';
import { inputsFromRetrieved, studyUidFromUrl } from './studyInputs.ts';

describe('PACS panel helpers', () => {
  it('reads OHIF\'s ?StudyInstanceUIDs= (first of a list), refusing anything but a UID', () => {
    expect(studyUidFromUrl('?StudyInstanceUIDs=1.2.840.1')).toBe('1.2.840.1');
    expect(studyUidFromUrl('?backend=wasm&StudyInstanceUIDs=1.2.3,4.5.6')).toBe('1.2.3');
    expect(studyUidFromUrl('?StudyInstanceUIDs=%3Cscript%3E')).toBeNull();
    expect(studyUidFromUrl('?other=1')).toBeNull();
  });

  it('hands retrieved instances to ingest as in-memory Blobs (the decode worker takes Blobs)', async () => {
    const bytes = new Uint8Array([1, 2, 3]).buffer;
    const [input] = inputsFromRetrieved([{ name: '1.2/3.4/5.6.dcm', bytes }]);
    expect(input.name).toBe('1.2/3.4/5.6.dcm');
    expect(input.size).toBe(3);
    expect(input.blob).toBeInstanceOf(Blob);
    expect(new Uint8Array(await input.read())).toEqual(new Uint8Array([1, 2, 3]));
  });
});
