/** Transfer syntaxes the Node pixel decoder understands, and how each one is decoded. */
export type PixelEncoding =
  | 'native-little'
  | 'native-big'
  | 'deflate'
  | 'rle'
  | 'jpeg-baseline-8bit'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg-2000';

const ENCODINGS: Record<string, PixelEncoding> = {
  '1.2.840.10008.1.2': 'native-little',
  '1.2.840.10008.1.2.1': 'native-little',
  '1.2.840.10008.1.2.2': 'native-big',
  '1.2.840.10008.1.2.1.99': 'deflate',
  '1.2.840.10008.1.2.5': 'rle',
  '1.2.840.10008.1.2.4.50': 'jpeg-baseline-8bit',
  '1.2.840.10008.1.2.4.57': 'jpeg-lossless',
  '1.2.840.10008.1.2.4.70': 'jpeg-lossless',
  '1.2.840.10008.1.2.4.80': 'jpeg-ls',
  '1.2.840.10008.1.2.4.81': 'jpeg-ls',
  '1.2.840.10008.1.2.4.90': 'jpeg-2000',
  '1.2.840.10008.1.2.4.91': 'jpeg-2000',
};

const NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (12-bit)',
  '1.2.840.10008.1.2.4.53': 'JPEG Spectral Selection',
  '1.2.840.10008.1.2.4.55': 'JPEG Full Progression',
  '1.2.840.10008.1.2.4.201': 'HTJ2K',
  '1.2.840.10008.1.2.4.202': 'HTJ2K',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
};

/** The decoding route for a transfer syntax UID, or null when this build cannot decode it. */
export function pixelEncodingOf(transferSyntaxUid: string): PixelEncoding | null {
  return ENCODINGS[transferSyntaxUid] ?? null;
}

export function describeTransferSyntax(transferSyntaxUid: string): string {
  return NAMES[transferSyntaxUid] ? `${NAMES[transferSyntaxUid]} (${transferSyntaxUid})` : transferSyntaxUid;
}

export const SUPPORTED_TRANSFER_SYNTAXES: readonly string[] = Object.keys(ENCODINGS);
