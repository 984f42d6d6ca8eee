import dcmjs from 'dcmjs';
import type { NaturalDataset } from 'dcmjs';

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** LungLens's implementation class UID (a fixed 2.25 UID) and name in the file meta header. */
const IMPLEMENTATION_CLASS_UID = '2.25.232704785163591597423183563542498385012';
const IMPLEMENTATION_VERSION = 'LUNGLENS_1';

/**
 * Encodes a naturalized dataset (keyword → value) as a DICOM Part 10 file with dcmjs: the
 * encoder is the library's, LungLens only builds the dataset.
 */
export function writePart10(dataset: NaturalDataset): Uint8Array {
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const meta = DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION,
  });
  const dict = new DicomDict(meta);
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

/** DICOM DA/TM of a moment, in UTC (the app has no reliable local time zone to state). */
export function dicomDateTime(at: Date): { date: string; time: string } {
  const iso = at.toISOString(); // 2026-12-01T18:08:55.123Z
  return { date: iso.slice(0, 10).replace(/-/g, ''), time: iso.slice(11, 19).replace(/:/g, '') };
}
