import path from 'node:path';
import { readSampleIndex } from '../../src/core/dicom/testing/sampleIndex.ts';
import { dicomSamples } from './paths.ts';

export interface SampleRow {
  file: string;
  absPath: string;
  modality: string;
  photometric: string;
  rows: number;
  frames: number;
  transferSyntax: string;
}

/** Sample files that hold an image (index.csv gives them a size). */
export function imageSamples(): SampleRow[] {
  return readSampleIndex(dicomSamples)
    .map((r) => ({
      file: r.file,
      absPath: path.join(dicomSamples, r.file),
      modality: r.modality,
      photometric: r.photometric,
      rows: Number(r.rows || 0),
      frames: Number(r.frames || 0),
      transferSyntax: r.transfer_syntax,
    }))
    .filter((r) => r.file.endsWith('.dcm') && r.rows > 0);
}
