// Channels of the studies feature. Owned by the studies feature; joined in contract.ts.
import { z } from 'zod';
import { RecentStudy, ScanProgress, ScanResult, SeriesDetail } from '../dicom';
import { invoke } from './define';

/** What `studies:open-folder` returns: the scanned tree (studies + skipped files), or `{cancelled: true}`. */
export const OpenFolderResult = z.discriminatedUnion('cancelled', [
  z.object({ cancelled: z.literal(true) }),
  ScanResult.extend({ cancelled: z.literal(false) }),
]);
export type OpenFolderResult = z.infer<typeof OpenFolderResult>;

const NoRequest = z.void().or(z.undefined());

export const studiesInvokes = {
  /** Shows the folder picker, then scans the chosen folder. */
  'studies:open-folder': invoke(NoRequest, OpenFolderResult),
  /** Scans dropped files/folders (absolute paths from the bridge's pathForFile). */
  'studies:open-path': invoke(z.object({ paths: z.array(z.string().min(1)).min(1).max(50_000) }), ScanResult),
  /** Opens the bundled sample study; fails with code 'no-sample' when it is not installed. */
  'studies:open-sample': invoke(NoRequest, ScanResult),
  /** Recently opened folders, newest first (reopen with studies:open-path). */
  'studies:list-recent': invoke(NoRequest, z.array(RecentStudy)),
  /** One series in slice order with per-instance display attributes; fails with 'unknown-series'. */
  'studies:get-series': invoke(z.object({ seriesId: z.string().min(1) }), SeriesDetail),
};

export const studiesEvents = {
  /** Scan progress while a folder is read: files scanned of total, per phase. */
  'studies:scan-progress': ScanProgress,
};
