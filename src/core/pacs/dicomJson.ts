/** Reading DICOM JSON (PS3.18 F.2) attributes as QIDO-RS returns them. */
export type DicomJson = Record<string, { vr?: string; Value?: unknown[] } | undefined>;

export function jsonString(ds: DicomJson, tag: string): string {
  const v = ds[tag]?.Value?.[0];
  if (v === undefined || v === null) return '';
  if (typeof v === 'object' && 'Alphabetic' in v) return String((v as { Alphabetic?: unknown }).Alphabetic ?? '');
  return String(v);
}

export function jsonStrings(ds: DicomJson, tag: string): string[] {
  return (ds[tag]?.Value ?? []).map(String);
}

export function jsonNumber(ds: DicomJson, tag: string): number | undefined {
  const v = Number(ds[tag]?.Value?.[0]);
  return Number.isFinite(v) ? v : undefined;
}

export const tags = {
  studyInstanceUID: '0020000D',
  seriesInstanceUID: '0020000E',
  sopInstanceUID: '00080018',
  sopClassUID: '00080016',
  patientName: '00100010',
  patientID: '00100020',
  studyDate: '00080020',
  studyDescription: '00081030',
  modalitiesInStudy: '00080061',
  modality: '00080060',
  seriesDescription: '0008103E',
  seriesNumber: '00200011',
  numberOfStudyRelatedSeries: '00201206',
  numberOfStudyRelatedInstances: '00201208',
  numberOfSeriesRelatedInstances: '00201209',
  failedSOPSequence: '00081198',
  referencedSOPSequence: '00081199',
  failureReason: '00081197',
  referencedSOPInstanceUID: '00081155',
} as const;
