import type { AnalysisExport } from '../analyses/analysisModule.ts';
import type { CtRecord } from '../analyses/ct/ctRecord.ts';
import type { CxrRecord } from '../analyses/cxr/cxrRecord.ts';
import type { CtStudySummary } from '../study/ctStudySummary.ts';
import { dicomSourced, hasGeometry } from './exportAccepts.ts';

// The analysis modules' export buttons. The writers (dcmjs, NIfTI) load on first use only, so the
// app and the worker do not carry them until someone exports.

export const ctExports: readonly AnalysisExport<CtRecord, CtStudySummary>[] = [
  {
    id: 'dicom',
    label: 'DICOM SEG + SR',
    accepts: (h) => dicomSourced(h) && hasGeometry(h),
    build: async (input) => (await (await import('./ctExports.ts')).buildCtDicom(input)).files,
  },
  { id: 'nifti', label: 'NIfTI masks', accepts: hasGeometry, build: async (input) => (await import('./ctExports.ts')).buildCtNifti(input) },
];

export const cxrExports: readonly AnalysisExport<CxrRecord, unknown>[] = [
  { id: 'dicom', label: 'DICOM SR', accepts: dicomSourced, build: async (input) => (await import('./cxrExports.ts')).buildCxrDicom(input) },
];
