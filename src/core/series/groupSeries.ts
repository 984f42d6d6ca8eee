import type { Series, SliceRef } from './series.ts';
import { sortSlices } from './sortSlices.ts';

/**
 * Groups slices into series: by Series Instance UID and image size (a stack must be
 * uniform; localizers of another size split off). A multi-frame object is its own stack;
 * PNG/JPEG files and UID-less DICOM files are one-image series each. Linear in slices.
 */
export function groupSeries(slices: SliceRef[]): Series[] {
  const groups = new Map<string, SliceRef[]>();
  for (const s of slices) {
    const key = seriesKey(s);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(s);
  }
  const out: Series[] = [];
  for (const [key, members] of groups) {
    const h = members[0].header;
    out.push({
      key,
      studyInstanceUID: h.studyInstanceUID ?? '',
      seriesInstanceUID: h.seriesInstanceUID ?? '',
      modality: h.modality,
      description: h.seriesDescription ?? (h.kind === 'dicom' ? '' : members[0].input.name),
      kind: h.kind,
      slices: sortSlices(members),
    });
  }
  out.sort((a, b) =>
    a.studyInstanceUID.localeCompare(b.studyInstanceUID) ||
    (seriesNumber(a) - seriesNumber(b)) ||
    a.description.localeCompare(b.description) ||
    a.key.localeCompare(b.key));
  return out;
}

function seriesKey(s: SliceRef): string {
  const h = s.header;
  if (h.kind !== 'dicom' || !h.seriesInstanceUID) return `file:${s.inputIndex}:${s.input.name}`;
  const size = `${h.rows}x${h.columns}`;
  if (h.numberOfFrames > 1) return `${h.seriesInstanceUID}|${size}|${h.sopInstanceUID ?? `file${s.inputIndex}`}`;
  return `${h.seriesInstanceUID}|${size}`;
}

function seriesNumber(s: Series): number {
  return s.slices[0]?.header.seriesNumber ?? Number.MAX_SAFE_INTEGER;
}
