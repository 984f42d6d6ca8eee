import * as dicomParserNamespace from 'dicom-parser';

/**
 * dicom-parser is a webpack UMD bundle: under Node ESM its exports sit on `default`, under
 * Vite they are named. One place resolves that so the rest imports a plain object.
 */
type DicomParserModule = typeof dicomParserNamespace;
const ns = dicomParserNamespace as DicomParserModule & { default?: DicomParserModule };
export const dicomParser: DicomParserModule = ns.default && 'parseDicom' in ns.default ? ns.default : ns;
export type { DataSet, Element } from 'dicom-parser';
