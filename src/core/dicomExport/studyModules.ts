import type { NaturalDataset } from 'dcmjs';
import type { StudyAttributes } from './sourceImages.ts';

/** Who made a derived object: LungLens, and the model(s) behind it. */
export interface AlgorithmId {
  /** Model id from models/manifest.json, e.g. "ct-lesion-segmentation". */
  modelId: string;
  version: string;
}

export interface ProducerInfo {
  /** LungLens's own version (SoftwareVersions). */
  softwareVersion: string;
  /** Shown in a PACS's series list. */
  seriesDescription?: string;
  seriesNumber?: number;
}

/** Patient + General Study modules, copied so the PACS files the result with its source study. */
function patientStudyModules(s: StudyAttributes): NaturalDataset {
  const ds: NaturalDataset = {
    PatientName: s.patientName,
    PatientID: s.patientID,
    PatientBirthDate: s.patientBirthDate,
    PatientSex: s.patientSex,
    StudyInstanceUID: s.studyInstanceUID,
    StudyDate: s.studyDate,
    StudyTime: s.studyTime,
    StudyID: s.studyID,
    AccessionNumber: s.accessionNumber,
    ReferringPhysicianName: s.referringPhysicianName,
  };
  if (s.studyDescription) ds.StudyDescription = s.studyDescription;
  if (s.patientAge) ds.PatientAge = s.patientAge;
  return ds;
}

/** General / Enhanced General Equipment: LungLens is the manufacturer of the derived object. */
function equipmentModule(producer: ProducerInfo): NaturalDataset {
  return {
    Manufacturer: 'LungLens',
    ManufacturerModelName: 'LungLens',
    DeviceSerialNumber: '1',
    SoftwareVersions: producer.softwareVersion,
  };
}

/** The new series + instance of a derived object (SEG, SR): fresh UIDs, LungLens equipment, creation time. */
export function derivedInstanceModules(opts: {
  modality: string;
  sopClassUID: string;
  sopInstanceUID: string;
  seriesInstanceUID: string;
  study: StudyAttributes;
  producer: ProducerInfo;
  defaultSeriesNumber: number;
  defaultSeriesDescription: string;
  date: string;
  time: string;
}): NaturalDataset {
  const { producer, date, time } = opts;
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: opts.sopClassUID,
    SOPInstanceUID: opts.sopInstanceUID,
    ...patientStudyModules(opts.study),
    Modality: opts.modality,
    SeriesInstanceUID: opts.seriesInstanceUID,
    SeriesNumber: producer.seriesNumber ?? opts.defaultSeriesNumber,
    SeriesDescription: producer.seriesDescription ?? opts.defaultSeriesDescription,
    SeriesDate: date,
    SeriesTime: time,
    ...equipmentModule(producer),
    InstanceNumber: 1,
    ContentDate: date,
    ContentTime: time,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
  };
}
