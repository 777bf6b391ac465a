import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppContext } from '../context';
import type { AppServices } from '../services';
import { UserFacingError, type InvokeHandlers } from '../../ipc/dispatch';
import type { ScanProgress } from '../../../common/dicom';

type StudiesChannels = 'studies:open-folder' | 'studies:open-path' | 'studies:open-sample' | 'studies:list-recent' | 'studies:get-series';

/**
 * The sample's images live in subfolders; its top level holds ATTRIBUTION.md and the
 * script that built it, which would otherwise be listed as skipped non-DICOM files.
 */
async function sampleImageFolders(samplePath: string): Promise<string[]> {
  try {
    const entries = await readdir(samplePath, { withFileTypes: true });
    const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => join(samplePath, entry.name));
    return folders.length > 0 ? folders : [samplePath];
  } catch {
    return [samplePath];
  }
}

// IPC handlers of the studies feature, over its plain-Node service.
export function createStudiesHandlers(ctx: AppContext, services: Pick<AppServices, 'studies'>): Pick<InvokeHandlers, StudiesChannels> {
  const studies = services.studies;
  const onProgress = (progress: ScanProgress) => ctx.emit('studies:scan-progress', progress);

  return {
    'studies:open-folder': async () => {
      const folder = await ctx.platform.pickFolder('Open a folder of DICOM images');
      if (!folder) return { cancelled: true };
      return { cancelled: false, ...(await studies.openPaths([folder], { onProgress })) };
    },
    'studies:open-path': async ({ paths }) => studies.openPaths(paths, { onProgress }),
    'studies:open-sample': async () => {
      if (!ctx.paths.samplePath) throw new UserFacingError('no-sample', 'The sample study is not installed with this copy of Pleura.');
      return studies.openPaths(await sampleImageFolders(ctx.paths.samplePath), { onProgress, remember: false });
    },
    'studies:list-recent': async () => studies.listRecent(),
    'studies:get-series': async ({ seriesId }) => {
      const series = studies.getSeriesDetail(seriesId);
      if (!series) throw new UserFacingError('unknown-series', 'This series is no longer open; open its folder again.');
      return series;
    },
  };
}
