import { createRequire } from 'node:module';

/**
 * dcmjs ships no type declarations. Rather than a global `declare module` (which would
 * clash with any other feature's), this file loads it once and describes the small part
 * of its API the SEG writer and reader use.
 */
export type NaturalDataset = Record<string, unknown> & { _vrMap?: Record<string, string>; _meta?: Record<string, unknown> };
export type DenaturalizedDataset = Record<string, { vr: string; Value?: unknown[] }>;

export interface DicomDictInstance {
  meta: DenaturalizedDataset;
  dict: DenaturalizedDataset;
  write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
}

export interface DcmjsData {
  DicomDict: new (meta: DenaturalizedDataset) => DicomDictInstance;
  DicomMessage: {
    readFile(
      buffer: ArrayBuffer,
      options?: { ignoreErrors?: boolean; untilTag?: string | null; includeUntilTagValue?: boolean; noCopy?: boolean; forceStoreRaw?: boolean },
    ): DicomDictInstance;
  };
  DicomMetaDictionary: {
    naturalizeDataset(dataset: DenaturalizedDataset): NaturalDataset;
    denaturalizeDataset(dataset: NaturalDataset): DenaturalizedDataset;
  };
}

interface DcmjsModule {
  data: DcmjsData;
}

const load = createRequire(import.meta.url);
const dcmjs = load('dcmjs') as DcmjsModule;

export const dcmjsData: DcmjsData = dcmjs.data;

/** A Node Buffer / Uint8Array view as the standalone ArrayBuffer dcmjs expects. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}
