import type { AnalysisExport } from '../analyses/analysisModule.ts';
import type { CtRecord } from '../analyses/ct/ctRecord.ts';
import type { CxrRecord } from '../analyses/cxr/cxrRecord.ts';
import type { CtStudySummary } from '../study/ctStudySummary.ts';
import { dicomSourced, hasGeometry } from './exportAccepts.ts';
import type { SeriesInput } from '../analyses/analysisModule.ts';

// The analysis modules' export buttons. The writers (dcmjs, NIfTI) load on first use only, so the
// app and the worker do not carry them until someone exports.

/** A series whose slices were all gated (no lung: neck, abdomen, head) has no segment to write. */
function nothingAssessed(input: SeriesInput<CtRecord>): string | null {
  return input.slices.length && input.slices.every((s) => s.record.assessed === false)
    ? 'nothing to export: no slice of this series was assessed (no lung found)'
    : null;
}

export const ctExports: readonly AnalysisExport<CtRecord, CtStudySummary>[] = [
  {
    id: 'dicom',
    label: 'DICOM SEG + SR',
    accepts: (h) => dicomSourced(h) && hasGeometry(h),
    unavailable: nothingAssessed,
    build: async (input) => (await (await import('./ctExports.ts')).buildCtDicom(input)).files,
  },
  { id: 'nifti', label: 'NIfTI masks', accepts: hasGeometry, unavailable: nothingAssessed, build: async (input) => (await import('./ctExports.ts')).buildCtNifti(input) },
];

export const cxrExports: readonly AnalysisExport<CxrRecord, unknown>[] = [
  { id: 'dicom', label: 'DICOM SR', accepts: dicomSourced, build: async (input) => (await import('./cxrExports.ts')).buildCxrDicom(input) },
];
