/**
 * A test series with real COVID-19 lesions: one real axial chest CT slice stacked `count` times along z, each
 * copy with its own SOP Instance UID, Instance Number and position, all in one new series. No whole COVID-19
 * CT series is staged in ../shared/data; this exercises the lesion paths of the whole-study code (3-D lesion
 * instances, SEG/SR/NIfTI lesion segments, the lesion list) on real lesion pixels. It is plumbing test data:
 * never a source of model metrics. Tests only (explicit VR little endian sources, as mutateDicom.ts).
 */
import { readFileSync } from 'node:fs';
import { ascii, findElement, setElement } from './mutateDicom.ts';

/** A real COVID-19 axial slice (covid19-ny-sbu-ct, 512 x 512, lesions over about a third of the lung). */
export const covidSliceFile = new URL('../../../../../shared/data/dicom-samples/covid19-ny-sbu-ct/A002304_axial_19010112-135.dcm', import.meta.url);

export interface StackedSeries {
  seriesInstanceUID: string;
  files: { name: string; bytes: Uint8Array }[];
}

/** Even-length text value: DS / IS pad with a space, UI with NUL (PS3.5 6.2). */
const text = (s: string, vr: 'DS' | 'IS' | 'UI') => ascii(s.length % 2 ? s + (vr === 'UI' ? '\0' : ' ') : s);

export function stackedSliceSeries(count: number, spacingMm: number, source: URL = covidSliceFile, uidRoot = '2.25.77310'): StackedSeries {
  const original = new Uint8Array(readFileSync(source));
  const seriesInstanceUID = `${uidRoot}.1`;
  const files = [];
  for (let k = 0; k < count; k++) {
    const sop = `${uidRoot}.2.${k + 1}`;
    const z = -k * spacingMm; // head first: z falls towards the feet
    let b = setElement(original, 0x0008, 0x0018, 'UI', text(sop, 'UI'));
    b = setElement(b, 0x0018, 0x0050, 'DS', text(String(spacingMm), 'DS'));
    b = setElement(b, 0x0018, 0x0088, 'DS', text(String(spacingMm), 'DS'));
    b = setElement(b, 0x0020, 0x000e, 'UI', text(seriesInstanceUID, 'UI'));
    b = setElement(b, 0x0020, 0x0013, 'IS', text(String(k + 1), 'IS'));
    b = setElement(b, 0x0020, 0x0032, 'DS', text(`-134.3\\-84.5\\${z}`, 'DS'));
    b = setElement(b, 0x0020, 0x1041, 'DS', text(String(z), 'DS'));
    files.push({ name: `slice-${String(k + 1).padStart(3, '0')}.dcm`, bytes: withMetaSopUid(b, sop) });
  }
  return { seriesInstanceUID, files };
}

/** The meta header's Media Storage SOP Instance UID must equal the data set's: same length, so overwrite in place. */
function withMetaSopUid(bytes: Uint8Array, sop: string): Uint8Array {
  const span = findElement(bytes, 0x0002, 0x0003)!;
  const value = text(sop, 'UI');
  if (value.length > span.end - span.valueStart) throw new Error('stackedSliceSeries: the UID root is longer than the source UID');
  const out = bytes.slice();
  out.fill(0, span.valueStart, span.end);
  out.set(value, span.valueStart);
  return out;
}
