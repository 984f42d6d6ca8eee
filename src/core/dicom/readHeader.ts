import type { DataSet } from './dicomParserModule.ts';
import type { ParsedDicom } from './parseDicom.ts';
import type { SliceHeader } from '../series/series.ts';
import type { VoiLutFunction, VoiLutTable, VoiWindow } from '../image/medicalImage.ts';
import { asDicomError, DicomError } from './dicomError.ts';
import { readNumberOfFrames, validateImageHeader } from './validateImageHeader.ts';

/** Modality LUT Sequence item: stored value → modality value table. */
export interface ModalityLutTable {
  firstMapped: number;
  bitsPerEntry: number;
  data: Uint16Array;
}

/** Everything the pixel pipeline needs about the image, read once from the header. */
export interface ImageHeader extends SliceHeader {
  planarConfiguration: 0 | 1;
  rescaleSlope: number;
  rescaleIntercept: number;
  modalityLut?: ModalityLutTable;
  windows: VoiWindow[];
  voiLutFunction: VoiLutFunction;
  voiLut?: VoiLutTable;
  /** Pixel Padding Value / Range Limit in *stored* values. */
  paddingValue?: number;
  paddingRangeLimit?: number;
  sopClassUID?: string;
  convolutionKernel?: string;
  manufacturer?: string;
  /** Per-frame Image Position (Patient) of enhanced multi-frame objects. */
  framePositions?: ([number, number, number] | undefined)[];
}

/** Reads and validates the image header; throws DicomError only (dicomParser's accessors can throw strings). */
export function readImageHeader(parsed: ParsedDicom): ImageHeader {
  try {
    return readHeaderFields(parsed);
  } catch (e) {
    throw asDicomError(e, 'invalid-header', 'The image header could not be read: ');
  }
}

function readHeaderFields(parsed: ParsedDicom): ImageHeader {
  const ds = parsed.dataSet;
  const rows = ds.uint16('x00280010') ?? 0;
  const columns = ds.uint16('x00280011') ?? 0;
  const bitsAllocated = ds.uint16('x00280100') ?? 0;
  const absent = ['x00280010', 'x00280011', 'x00280100'].filter((t) => !ds.elements[t]?.length);
  if (absent.length) {
    throw new DicomError('no-pixel-data', 'Pixel data present but Rows/Columns/Bits Allocated are missing.');
  }
  const pixelRepresentation = (ds.uint16('x00280103') ?? 0) === 1 ? 1 : 0;
  const shared = firstItem(ds, 'x52009229');
  const perFrame = ds.elements.x52009230?.items?.map((i) => i.dataSet).filter((d): d is DataSet => !!d);
  const firstFrame = perFrame?.[0];
  // Enhanced multi-frame objects keep geometry and rescale inside functional groups.
  const fromGroups = (seqTag: string): DataSet | undefined =>
    (firstFrame && firstItem(firstFrame, seqTag)) ?? (shared && firstItem(shared, seqTag));
  const measures = fromGroups('x00289110');
  const orientationDs = fromGroups('x00209116');
  const valueTransform = fromGroups('x00289145');
  const voiGroup = fromGroups('x00289132');

  const modalityLut = readLutItem(firstItem(ds, 'x00283000'), pixelRepresentation);
  const voiLut = readLutItem(firstItem(ds, 'x00283010'), pixelRepresentation);
  const voiSource = ds.elements.x00281050 ? ds : voiGroup ?? ds;
  const framePositions = perFrame?.map((f) => numbers(firstItem(f, 'x00209113'), 'x00200032', 3) as [number, number, number] | undefined);

  const header: ImageHeader = {
    kind: 'dicom',
    modality: str(ds, 'x00080060') ?? '',
    rows,
    columns,
    numberOfFrames: readNumberOfFrames(ds),
    transferSyntax: parsed.transferSyntax,
    photometric: (str(ds, 'x00280004') ?? 'MONOCHROME2').toUpperCase(),
    bitsAllocated,
    bitsStored: ds.uint16('x00280101') ?? bitsAllocated,
    pixelRepresentation,
    samplesPerPixel: ds.uint16('x00280002') ?? 1,
    planarConfiguration: (ds.uint16('x00280006') ?? 0) === 1 ? 1 : 0,
    studyInstanceUID: str(ds, 'x0020000d'),
    seriesInstanceUID: str(ds, 'x0020000e'),
    sopInstanceUID: str(ds, 'x00080018'),
    sopClassUID: str(ds, 'x00080016'),
    seriesNumber: ds.intString('x00200011'),
    instanceNumber: ds.intString('x00200013'),
    seriesDescription: str(ds, 'x0008103e'),
    pixelSpacingMm: (numbers(measures, 'x00280030', 2) ?? numbers(ds, 'x00280030', 2) ?? numbers(ds, 'x00181164', 2)) as [number, number] | undefined,
    sliceThicknessMm: numbers(measures, 'x00180050', 1)?.[0] ?? ds.floatString('x00180050'),
    spacingBetweenSlicesMm: numbers(measures, 'x00180088', 1)?.[0] ?? ds.floatString('x00180088'),
    imagePositionPatient: (framePositions?.[0] ?? numbers(ds, 'x00200032', 3)) as [number, number, number] | undefined,
    imageOrientationPatient: (numbers(orientationDs, 'x00200037', 6) ?? numbers(ds, 'x00200037', 6)) as
      | [number, number, number, number, number, number]
      | undefined,
    rescaleSlope: valueTransform?.floatString('x00281053') ?? ds.floatString('x00281053') ?? 1,
    rescaleIntercept: valueTransform?.floatString('x00281052') ?? ds.floatString('x00281052') ?? 0,
    modalityLut,
    windows: readWindows(voiSource),
    voiLutFunction: readVoiFunction(voiSource),
    voiLut: voiLut,
    paddingValue: readUsOrSs(ds, 'x00280120', pixelRepresentation),
    paddingRangeLimit: readUsOrSs(ds, 'x00280121', pixelRepresentation),
    convolutionKernel: str(ds, 'x00181210'),
    manufacturer: str(ds, 'x00080070'),
    framePositions: framePositions && framePositions.some((p) => p) ? framePositions : undefined,
  };
  validateImageHeader(ds, header, parsed.bytes.length);
  return header;
}

function firstItem(ds: DataSet | undefined, tag: string): DataSet | undefined {
  return ds?.elements[tag]?.items?.[0]?.dataSet;
}

function str(ds: DataSet, tag: string): string | undefined {
  const s = ds.string(tag)?.replace(/\0/g, '').trim();
  return s ? s : undefined;
}

function numbers(ds: DataSet | undefined, tag: string, count: number): number[] | undefined {
  if (!ds?.elements[tag]) return undefined;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = ds.floatString(tag, i);
    if (v === undefined || !Number.isFinite(v)) return undefined;
    out.push(v);
  }
  return out;
}

function readWindows(ds: DataSet): VoiWindow[] {
  const n = Math.min(ds.numStringValues('x00281050') ?? 0, ds.numStringValues('x00281051') ?? 0);
  const out: VoiWindow[] = [];
  for (let i = 0; i < n; i++) {
    const center = ds.floatString('x00281050', i);
    const width = ds.floatString('x00281051', i);
    if (center === undefined || width === undefined || !Number.isFinite(center) || !(width > 0)) continue;
    const explanation = ds.string('x00281055', i)?.trim();
    out.push(explanation ? { center, width, explanation } : { center, width });
  }
  return out;
}

function readVoiFunction(ds: DataSet): VoiLutFunction {
  const f = ds.string('x00281056')?.trim().toUpperCase();
  return f === 'SIGMOID' || f === 'LINEAR_EXACT' ? f : 'LINEAR';
}

/** Pixel Padding Value has VR US or SS depending on Pixel Representation. */
function readUsOrSs(ds: DataSet, tag: string, pixelRepresentation: 0 | 1): number | undefined {
  if (!ds.elements[tag]) return undefined;
  return pixelRepresentation === 1 ? ds.int16(tag) : ds.uint16(tag);
}

/**
 * LUT Descriptor (0028,3002): entries (0 means 65536), first mapped value (SS when the
 * input is signed), bits per entry. LUT Data is 8- or 16-bit; 8-bit entries can arrive
 * packed in OW, which the byte length tells apart.
 */
function readLutItem(item: DataSet | undefined, pixelRepresentation: 0 | 1): ModalityLutTable | undefined {
  if (!item?.elements.x00283002 || !item.elements.x00283006) return undefined;
  const entries = item.uint16('x00283002', 0) || 65536;
  let firstMapped = item.uint16('x00283002', 1) ?? 0;
  if (pixelRepresentation === 1 && firstMapped > 32767) firstMapped -= 65536;
  const bitsPerEntry = item.uint16('x00283002', 2) ?? 16;
  const el = item.elements.x00283006;
  const data = new Uint16Array(entries);
  if (el.length >= entries * 2) {
    for (let i = 0; i < entries; i++) data[i] = item.uint16('x00283006', i) ?? 0;
  } else {
    const bytes = item.byteArray;
    for (let i = 0; i < entries && i < el.length; i++) data[i] = bytes[el.dataOffset + i];
  }
  return { firstMapped, bitsPerEntry, data };
}
