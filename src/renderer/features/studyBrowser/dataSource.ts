/**
 * The viewer's data source (OHIF's term): every study/series request to the main
 * process goes through here, and results land in `viewer` state. Panels and viewports
 * never call the IPC API for studies themselves.
 */
import type { ScanResult } from '../../../common/dicom/study-tree';
import { api } from '../../lib/api';
import { viewer } from '../../state/viewer.svelte';
import { displaySeries } from '../viewport/display';

let instanceUrlBase: string | null = null;

async function urlBase(): Promise<string> {
  instanceUrlBase ??= (await api.invoke('app:get-info', undefined)).instanceUrlBase;
  return instanceUrlBase;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Follow the folder scan while a study opens. Returns the unsubscribe function. */
export function followScanProgress(): () => void {
  return api.on('studies:scan-progress', (progress) => {
    viewer.scan = progress.phase === 'done' ? null : progress;
  });
}

async function runOpen(label: string, open: () => Promise<ScanResult | null>): Promise<void> {
  viewer.error = null;
  viewer.load = { label, done: 0, total: 0 };
  try {
    const result = await open();
    if (!result) return; // dialog cancelled: what is open stays open
    viewer.skipped = result.skipped;
    if (result.studies.length === 0) {
      // Nothing readable: keep what is on screen, and say why in words.
      viewer.error = describeNothingOpened(result);
      return;
    }
    viewer.studies = result.studies;
    void refreshRecent();
    const first = pickInitialSeries(result);
    if (first) await selectSeries(first);
  } catch (error) {
    viewer.error = messageOf(error);
  } finally {
    viewer.scan = null;
    if (viewer.load?.label === label) viewer.load = null;
  }
}

function describeNothingOpened(result: ScanResult): string {
  const [only] = result.skipped;
  if (result.skipped.length === 1 && only) return `Nothing to display: ${only.path.split(/[\\/]/).pop()}: ${only.reason}`;
  if (result.skipped.length > 1) return `No readable images: ${result.skipped.length} files skipped (listed on the left).`;
  return 'No DICOM images found there.';
}

/** The series to show first: the CT volume with the most slices, else the first series. */
function pickInitialSeries(result: ScanResult): string | null {
  const all = result.studies.flatMap((study) => study.series);
  const volumes = all.filter((series) => series.kind === 'volume').sort((a, b) => b.instances.length - a.instances.length);
  return (volumes[0] ?? all[0])?.seriesId ?? null;
}

export function openFolderDialog(): Promise<void> {
  return runOpen('Opening folder', async () => {
    const result = await api.invoke('studies:open-folder', undefined);
    return result.cancelled ? null : result;
  });
}

export function openPaths(paths: string[]): Promise<void> {
  return runOpen('Opening files', () => api.invoke('studies:open-path', { paths }));
}

export function openSample(): Promise<void> {
  return runOpen('Opening sample study', () => api.invoke('studies:open-sample', undefined));
}

export async function refreshRecent(): Promise<void> {
  try {
    viewer.recent = await api.invoke('studies:list-recent', undefined);
  } catch (error) {
    // The recent list is a convenience: a broken one must not block opening studies.
    console.warn('Recent studies unavailable:', messageOf(error));
  }
}

export async function selectSeries(seriesId: string): Promise<void> {
  viewer.selectedSeriesId = seriesId;
  viewer.error = null;
  try {
    viewer.load = { label: 'Reading series', done: 0, total: 0 };
    const [series, base] = await Promise.all([api.invoke('studies:get-series', { seriesId }), urlBase()]);
    if (viewer.selectedSeriesId !== seriesId) return;
    try {
      await displaySeries(series, base);
    } catch (volumeError) {
      if (series.kind !== 'volume') throw volumeError;
      // The slices are still worth seeing one by one when the 3D volume cannot be built.
      console.warn('Volume display failed; showing 2D images', volumeError);
      await displaySeries(series, base, { forceStack: true });
      if (viewer.selectedSeriesId === seriesId) viewer.error = `Shown as 2D images: the 3D volume could not be built (${messageOf(volumeError)}).`;
    }
  } catch (error) {
    console.error('Could not display series', seriesId, error);
    if (viewer.selectedSeriesId === seriesId) {
      viewer.error = `Could not display this series: ${messageOf(error)}`;
      viewer.load = null;
    }
  }
}

export { urlBase as instanceUrlBase };
