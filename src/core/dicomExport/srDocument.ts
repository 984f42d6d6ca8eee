import type { NaturalDataset } from 'dcmjs';
import { LOCAL_SCHEME, srCodes, type Code } from './codes.ts';
import { newUid } from './newUid.ts';
import { dicomDateTime, writePart10 } from './part10.ts';
import type { StudyAttributes } from './sourceImages.ts';
import { codeValueItem, containerItem, imageItem, textItem, uidRefItem, type ContentItem, type InstanceRef } from './srContentItems.ts';
import { derivedInstanceModules, type ProducerInfo } from './studyModules.ts';

const COMPREHENSIVE_3D_SR = '1.2.840.10008.5.1.4.1.1.88.34';

export interface EvidenceRef extends InstanceRef {
  seriesInstanceUID: string;
}

export interface SrDocumentInput {
  study: StudyAttributes;
  producer: ProducerInfo;
  procedure: Code;
  /** Images listed in the Image Library (the source images). */
  library: InstanceRef[];
  /** Measurement groups of the Imaging Measurements container. */
  measurements: ContentItem[];
  /** Every instance the report refers to (source images, the SEG). */
  evidence: EvidenceRef[];
  createdAt?: Date;
}

export interface WrittenSr {
  bytes: Uint8Array;
  sopClassUID: string;
  sopInstanceUID: string;
  seriesInstanceUID: string;
}

/** Device observer UID of LungLens (fixed, so a PACS can tell its reports apart). */
const DEVICE_OBSERVER_UID = '2.25.170316185917218374216046133346012066211';

/** A TID 1500 Measurement Report as a Comprehensive 3D SR document. */
export function writeMeasurementReport(input: SrDocumentInput): WrittenSr {
  const sopInstanceUID = newUid();
  const seriesInstanceUID = newUid();
  const { date, time } = dicomDateTime(input.createdAt ?? new Date());
  const root: ContentItem[] = [
    codeValueItem('HAS CONCEPT MOD', srCodes.languageOfContent, srCodes.english),
    codeValueItem('HAS OBS CONTEXT', srCodes.observerType, srCodes.device),
    uidRefItem('HAS OBS CONTEXT', srCodes.deviceObserverUid, DEVICE_OBSERVER_UID),
    textItem('HAS OBS CONTEXT', srCodes.deviceObserverName, 'LungLens'),
    textItem('HAS OBS CONTEXT', srCodes.deviceObserverManufacturer, 'LungLens'),
    textItem('HAS OBS CONTEXT', srCodes.deviceObserverModelName, `LungLens ${input.producer.softwareVersion}`),
    codeValueItem('HAS CONCEPT MOD', srCodes.procedureReported, input.procedure),
    containerItem('CONTAINS', srCodes.imageLibrary, [
      containerItem('CONTAINS', srCodes.imageLibraryGroup, input.library.map((ref) => imageItem('CONTAINS', srCodes.sourceImage, ref))),
    ]),
    containerItem('CONTAINS', srCodes.imagingMeasurements, input.measurements),
  ];
  const dataset: NaturalDataset = {
    ...derivedInstanceModules({
      modality: 'SR',
      sopClassUID: COMPREHENSIVE_3D_SR,
      sopInstanceUID,
      seriesInstanceUID,
      study: input.study,
      producer: input.producer,
      defaultSeriesNumber: 902,
      defaultSeriesDescription: 'LungLens measurements (research use)',
      date,
      time,
    }),
    ReferencedPerformedProcedureStepSequence: [],
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    PreliminaryFlag: 'PRELIMINARY',
    CurrentRequestedProcedureEvidenceSequence: [evidenceStudy(input.study.studyInstanceUID, input.evidence)],
    PerformedProcedureCodeSequence: [],
    CodingSchemeIdentificationSequence: [
      { CodingSchemeDesignator: LOCAL_SCHEME, CodingSchemeName: 'LungLens local codes', CodingSchemeResponsibleOrganization: 'LungLens' },
    ],
    ...containerItem(undefined, srCodes.imagingMeasurementReport, root, '1500'),
  };
  return { bytes: writePart10(dataset), sopClassUID: COMPREHENSIVE_3D_SR, sopInstanceUID, seriesInstanceUID };
}

function evidenceStudy(studyInstanceUID: string, evidence: EvidenceRef[]): NaturalDataset {
  const bySeries = new Map<string, InstanceRef[]>();
  for (const e of evidence) {
    const list = bySeries.get(e.seriesInstanceUID) ?? [];
    if (!list.some((r) => r.sopInstanceUID === e.sopInstanceUID)) list.push(e);
    bySeries.set(e.seriesInstanceUID, list);
  }
  return {
    StudyInstanceUID: studyInstanceUID,
    ReferencedSeriesSequence: [...bySeries].map(([uid, refs]) => ({
      SeriesInstanceUID: uid,
      ReferencedSOPSequence: refs.map((r) => ({ ReferencedSOPClassUID: r.sopClassUID, ReferencedSOPInstanceUID: r.sopInstanceUID })),
    })),
  };
}
