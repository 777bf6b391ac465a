import { randomUUID } from 'node:crypto';

/** A new DICOM UID under the UUID-derived root 2.25 (PS3.5 B.2): unique without a registered org root. */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replaceAll('-', '')}`).toString(10)}`;
}
