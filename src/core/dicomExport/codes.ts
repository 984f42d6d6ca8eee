/**
 * Coded concepts used in LungLens's SEG and SR. Standard codes where DICOM PS3.16 has one
 * (SNOMED CT "SCT", DICOM "DCM", UCUM units); a private "99LUNGLENS" scheme, declared in each
 * SR's Coding Scheme Identification Sequence, only for numbers no standard names (model
 * probabilities, the severity score).
 */
export interface Code {
  value: string;
  scheme: string;
  meaning: string;
}

const sct = (value: string, meaning: string): Code => ({ value, scheme: 'SCT', meaning });
const dcm = (value: string, meaning: string): Code => ({ value, scheme: 'DCM', meaning });
const ucum = (value: string, meaning: string): Code => ({ value, scheme: 'UCUM', meaning });
const local = (value: string, meaning: string): Code => ({ value, scheme: LOCAL_SCHEME, meaning });

export const LOCAL_SCHEME = '99LUNGLENS';

/**
 * Segmented property categories (CID 7150) and types (CID 7192 anatomy, CID 6104 / 7159 findings).
 * "Anatomical Structure" is SCT 123037004 as current DICOM SEGs write it (dcmqi / IDC); CID 7150's
 * 2019 edition still listed the retired 91723000.
 */
export const segmentCodes = {
  anatomicalStructure: sct('123037004', 'Anatomical Structure'),
  morphologicallyAbnormal: sct('49755003', 'Morphologically Abnormal Structure'),
  lung: sct('39607008', 'Lung'),
  leftLung: sct('44029006', 'Left lung'),
  rightLung: sct('3341006', 'Right lung'),
  /** CID 6104 "Abnormal Opacity Finding or Feature" codes it in DCM, not SNOMED CT. */
  groundGlassOpacity: dcm('112120', 'Ground glass opacity'),
  /** No DICOM context group names lung consolidation; SNOMED CT's concept (not cited in DICOM material). */
  consolidation: sct('95436008', 'Lung consolidation'),
  lesion: sct('52988006', 'Lesion'),
} as const;

export const units = {
  millilitre: ucum('mL', 'milliliter'),
  percent: ucum('%', 'percent'),
  probability: ucum('1', 'no units'),
  score: ucum('1', 'no units'),
} as const;

export const srCodes = {
  imagingMeasurementReport: dcm('126000', 'Imaging Measurement Report'),
  languageOfContent: dcm('121049', 'Language of Content Item and Descendants'),
  english: { value: 'en-US', scheme: 'RFC5646', meaning: 'English (United States)' } as Code,
  observerType: dcm('121005', 'Observer Type'),
  device: dcm('121007', 'Device'),
  deviceObserverUid: dcm('121012', 'Device Observer UID'),
  deviceObserverName: dcm('121013', 'Device Observer Name'),
  deviceObserverManufacturer: dcm('121014', 'Device Observer Manufacturer'),
  deviceObserverModelName: dcm('121015', 'Device Observer Model Name'),
  procedureReported: dcm('121058', 'Procedure reported'),
  ctChest: sct('169069000', 'Computed tomography of chest'),
  chestRadiograph: sct('399208008', 'Plain chest X-ray'),
  imageLibrary: dcm('111028', 'Image Library'),
  imageLibraryGroup: dcm('126200', 'Image Library Group'),
  imagingMeasurements: dcm('126010', 'Imaging Measurements'),
  measurementGroup: dcm('125007', 'Measurement Group'),
  trackingIdentifier: dcm('112039', 'Tracking Identifier'),
  trackingUid: dcm('112040', 'Tracking Unique Identifier'),
  referencedSegment: dcm('121191', 'Referenced Segment'),
  sourceSeriesForSegmentation: dcm('121232', 'Source series for segmentation'),
  finding: dcm('121071', 'Finding'),
  findingSite: sct('363698007', 'Finding Site'),
  volume: sct('118565006', 'Volume'),
  lesionVolume: local('lesion-volume', 'Total lesion volume'),
  algorithmName: dcm('111001', 'Algorithm Name'),
  algorithmVersion: dcm('111003', 'Algorithm Version'),
  imageRegion: dcm('111030', 'Image Region'),
  sourceImage: dcm('121324', 'Source Image'),
  severity: sct('246112005', 'Severity'),
  opacity: dcm('112001', 'Opacity'),
  firstSlice: local('first-slice', 'First slice (1-based, in series order)'),
  lastSlice: local('last-slice', 'Last slice (1-based, in series order)'),
  largestAreaSlice: local('largest-slice', 'Slice of largest area (1-based, in series order)'),
  ggoShare: local('ggo-share', 'Ground glass opacity share of lesion'),
  consolidationShare: local('consol-share', 'Consolidation share of lesion'),
  infectionPercentOfLung: local('infection-pct', 'Infected share of lung'),
  regressionPercentMean: local('regression-mean', 'Regression model infection %, mean over slices'),
  regressionPercentMax: local('regression-max', 'Regression model infection %, maximum over slices'),
  severityScore: local('severity-score', 'Severity band score (0-5)'),
  detectionScore: local('detection-score', 'Detection confidence'),
  classProbability: local('class-prob', 'Class probability'),
  className: local('class-name', 'Class name (model label)'),
  detector: local('detector', 'Detector (A, B or ensemble)'),
  slicesAnalysed: local('slices-analysed', 'Slices analysed'),
} as const;

/** The severity bands of src/core/report/severityBand.ts as SNOMED CT severity qualifiers. */
export const severityCodes: Record<string, Code> = {
  none: sct('260413007', 'None'),
  minimal: sct('255605001', 'Minimal'),
  mild: sct('255604002', 'Mild'),
  moderate: sct('6736007', 'Moderate'),
  severe: sct('24484000', 'Severe'),
  critical: sct('442452003', 'Life threatening severity'),
};

/** Radiograph classes of the cxr-classification model. */
export const classCodes: Record<string, Code> = {
  covid: sct('840539006', 'COVID-19'),
  'covid-19': sct('840539006', 'COVID-19'),
  pneumonia: sct('233604007', 'Pneumonia'),
  'other pneumonia': sct('233604007', 'Pneumonia'),
  normal: sct('17621005', 'Normal'),
};

/** Naturalized Code Sequence item, as dcmjs writes it. */
export function codeItem(c: Code): Record<string, string> {
  return { CodeValue: c.value, CodingSchemeDesignator: c.scheme, CodeMeaning: c.meaning };
}
