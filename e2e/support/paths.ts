import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Real data lives beside the repo (../shared/data), never inside it. */
export const dataRoot = path.resolve(repoRoot, '../shared/data');
export const dicomSamples = path.join(dataRoot, 'dicom-samples');
