import * as dicomParserNamespace from 'dicom-parser';

/**
 * dicom-parser ships a webpack UMD bundle: under Node's ESM loader its API sits on the
 * default export, under bundlers it may be the namespace itself. Its typings only
 * describe the namespace, so resolve the runtime object once here.
 */
type DicomParserApi = typeof dicomParserNamespace;
const withDefault = dicomParserNamespace as DicomParserApi & { default?: DicomParserApi };
export const dicomParser: DicomParserApi =
  typeof withDefault.parseDicom === 'function' ? withDefault : (withDefault.default ?? withDefault);

/** dicom-parser throws strings, Errors, or objects carrying `exception`; make it one sentence. */
export function parserErrorText(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'exception' in error) {
    return String((error as { exception: unknown }).exception);
  }
  return String(error);
}
