import dcmjs from 'dcmjs';
import type { NaturalDataset } from 'dcmjs';

/**
 * What a derived object (SEG, SR) copies from the images it was computed from: the patient and
 * study, so a PACS files it beside them, and each image's identity and geometry, so every
 * frame and every coordinate can point back at its source.
 */
export interface StudyAttributes {
  studyInstanceUID: string;
  patientName: string;
  patientID: string;
  patientBirthDate: string;
  patientSex: string;
  studyDate: string;
  studyTime: string;
  studyID: string;
  accessionNumber: string;
  referringPhysicianName: string;
  studyDescription?: string;
  patientAge?: string;
}

export interface SourceImage {
  sopClassUID: string;
  sopInstanceUID: string;
  rows: number;
  columns: number;
  /** Absent for projection radiographs. */
  imagePositionPatient?: [number, number, number];
  imageOrientationPatient?: [number, number, number, number, number, number];
  /** [row spacing, column spacing] in mm (Pixel Spacing, else Imager Pixel Spacing). */
  pixelSpacingMm?: [number, number];
  sliceThicknessMm?: number;
}

/** One source series, images in the order the analysis used (sorted along the slice normal). */
export interface SourceSeries {
  study: StudyAttributes;
  seriesInstanceUID: string;
  modality: string;
  frameOfReferenceUID?: string;
  positionReferenceIndicator?: string;
  images: SourceImage[];
}

/** The header of one source file, read with dcmjs (pixel data is not read). */
export interface SourceInstance {
  study: StudyAttributes;
  seriesInstanceUID: string;
  modality: string;
  frameOfReferenceUID?: string;
  positionReferenceIndicator?: string;
  image: SourceImage;
}

/** Patient's Age is an AS ("081Y"): optional in the derived object, so a malformed source value (real files carry
 * "81") is left out rather than copied into an object `dciodvfy` and strict PACSs reject. */
function validAge(age: string): string | undefined {
  return /^\d{3}[DWMY]$/.test(age) ? age : undefined;
}

export function readSourceInstance(bytes: Uint8Array): SourceInstance {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let ds: NaturalDataset;
  // dcmjs logs oddities of real files (e.g. a 4-byte Patient's Age) as console errors; the header is
  // still read (ignoreErrors), and what LungLens needs is checked below, so keep the console quiet.
  const level = dcmjs.log.getLevel();
  dcmjs.log.setLevel('silent', false);
  try {
    const file = dcmjs.data.DicomMessage.readFile(buffer, { untilTag: '7FE00010', includeUntilTagValue: false, ignoreErrors: true });
    ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(file.dict);
  } catch (e) {
    throw new Error(`Cannot read the source DICOM header: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    dcmjs.log.setLevel(level, false);
  }
  const studyInstanceUID = text(ds.StudyInstanceUID);
  const seriesInstanceUID = text(ds.SeriesInstanceUID);
  const sopInstanceUID = text(ds.SOPInstanceUID);
  const sopClassUID = text(ds.SOPClassUID);
  if (!studyInstanceUID || !seriesInstanceUID || !sopInstanceUID || !sopClassUID) {
    throw new Error('The source image lacks Study/Series/SOP Instance UID or SOP Class UID: a derived object could not refer to it.');
  }
  return {
    study: {
      studyInstanceUID,
      patientName: personName(ds.PatientName),
      patientID: text(ds.PatientID),
      patientBirthDate: text(ds.PatientBirthDate),
      patientSex: text(ds.PatientSex),
      studyDate: text(ds.StudyDate),
      studyTime: text(ds.StudyTime),
      studyID: text(ds.StudyID),
      accessionNumber: text(ds.AccessionNumber),
      referringPhysicianName: personName(ds.ReferringPhysicianName),
      studyDescription: text(ds.StudyDescription) || undefined,
      patientAge: validAge(text(ds.PatientAge)),
    },
    seriesInstanceUID,
    modality: text(ds.Modality),
    frameOfReferenceUID: text(ds.FrameOfReferenceUID) || undefined,
    positionReferenceIndicator: text(ds.PositionReferenceIndicator) || undefined,
    image: {
      sopClassUID,
      sopInstanceUID,
      rows: Number(first(ds.Rows) ?? 0),
      columns: Number(first(ds.Columns) ?? 0),
      imagePositionPatient: numbers(ds.ImagePositionPatient, 3) as SourceImage['imagePositionPatient'],
      imageOrientationPatient: numbers(ds.ImageOrientationPatient, 6) as SourceImage['imageOrientationPatient'],
      pixelSpacingMm: (numbers(ds.PixelSpacing, 2) ?? numbers(ds.ImagerPixelSpacing, 2)) as SourceImage['pixelSpacingMm'],
      sliceThicknessMm: numbers(ds.SliceThickness, 1)?.[0],
    },
  };
}

/** Groups the headers of one series' files, in the order given (the analysis order). */
export function sourceSeriesOf(instances: readonly SourceInstance[]): SourceSeries {
  if (instances.length === 0) throw new Error('A derived object needs at least one source image.');
  const [head] = instances;
  const stray = instances.find((i) => i.seriesInstanceUID !== head.seriesInstanceUID);
  if (stray) throw new Error(`Source images come from two series (${head.seriesInstanceUID}, ${stray.seriesInstanceUID}).`);
  return {
    study: head.study,
    seriesInstanceUID: head.seriesInstanceUID,
    modality: head.modality,
    frameOfReferenceUID: head.frameOfReferenceUID,
    positionReferenceIndicator: head.positionReferenceIndicator,
    images: instances.map((i) => i.image),
  };
}

function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

function text(v: unknown): string {
  const f = first(v);
  return f === undefined || f === null ? '' : String(f).replace(/\0/g, '').trim();
}

/** dcmjs gives PN as [{ Alphabetic: "Doe^John" }]. */
function personName(v: unknown): string {
  const f = first(v);
  if (f && typeof f === 'object' && 'Alphabetic' in f) return String((f as { Alphabetic?: unknown }).Alphabetic ?? '').trim();
  return text(v);
}

function numbers(v: unknown, count: number): number[] | undefined {
  if (!Array.isArray(v) || v.length < count) return undefined;
  const out = v.slice(0, count).map(Number);
  return out.every(Number.isFinite) ? out : undefined;
}
