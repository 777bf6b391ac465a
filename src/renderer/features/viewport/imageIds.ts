import type { InstanceSummary } from '../../../common/dicom/study-tree';

/**
 * Cornerstone wadouri image id of one instance (or one frame of a multi-frame file).
 * Bytes come from the app's own origin at `/instance/<id>`; ids are opaque tokens the
 * ingest service handed out, never file paths. wadouri frames are 1-based.
 */
export function imageIdFor(instanceUrlBase: string, instance: Pick<InstanceSummary, 'id' | 'frame'>): string {
  const base = instanceUrlBase.replace(/\/+$/, '');
  const url = `${base}/instance/${encodeURIComponent(instance.id)}`;
  return instance.frame === null ? `wadouri:${url}` : `wadouri:${url}?frame=${instance.frame + 1}`;
}
