import { resolve } from 'node:path';
import type { RecentStudy, ScanProgress, ScanResult, SeriesDetail } from '../../../common/dicom';
import { RecentStudies } from './recents';
import { StudyRegistry, toScanResult } from './registry';
import { scanPaths } from './scan';
import type { IngestedSeries, IngestedStudy } from './types';

export interface StudiesServiceOptions {
  /** JSON file for the recently opened list; null keeps no list (CLI, tests). */
  recentsFile: string | null;
  concurrency?: number;
}

export interface OpenOptions {
  onProgress?: (progress: ScanProgress) => void;
  /** False for opens that should not appear in the recent list (the bundled sample). */
  remember?: boolean;
}

export interface StudiesService {
  /** Scans files/folders, registers what was found and returns the tree for the renderer. */
  openPaths(paths: readonly string[], options?: OpenOptions): Promise<ScanResult>;
  /** A series in slice order with file paths and pixel-module attributes (for the engine); null when unknown. */
  getSeries(seriesId: string): IngestedSeries | null;
  /** The same series without file paths, as sent to the renderer; null when unknown. */
  getSeriesDetail(seriesId: string): SeriesDetail | null;
  /** Bytes of a registered instance's file; null for ids this session did not hand out. */
  readInstanceBytes(instanceId: string): Promise<Uint8Array | null>;
  listRecent(): Promise<RecentStudy[]>;
  dispose(): Promise<void>;
}

function labelOf(studies: readonly IngestedStudy[]): string {
  const first = studies[0];
  if (!first) return 'No images';
  const name = first.patientName.replace(/\^+/gu, ' ').trim() || first.patientId || 'Unnamed patient';
  const description = first.studyDescription || first.series[0]?.modality || 'study';
  const seriesCount = studies.reduce((sum, study) => sum + study.series.length, 0);
  const more = studies.length > 1 ? ` and ${studies.length - 1} more stud${studies.length > 2 ? 'ies' : 'y'}` : '';
  return `${name} — ${description}${more} (${seriesCount} series)`;
}

export function createStudiesService(options: StudiesServiceOptions): StudiesService {
  const registry = new StudyRegistry();
  const recents = options.recentsFile ? new RecentStudies(options.recentsFile) : null;
  return {
    async openPaths(paths, openOptions = {}) {
      const absolute = paths.map((path) => resolve(path));
      const outcome = await scanPaths(absolute, {
        ...(openOptions.onProgress ? { onProgress: openOptions.onProgress } : {}),
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      });
      registry.register(outcome.studies);
      if (recents && openOptions.remember !== false && outcome.studies.length > 0) {
        try {
          await recents.add({
            paths: absolute,
            openedAt: new Date().toISOString(),
            label: labelOf(outcome.studies),
            studyInstanceUids: outcome.studies.map((study) => study.studyInstanceUid),
          });
        } catch (error) {
          // The study is open either way; a read-only profile only loses the recent list.
          console.warn('[ingest] could not save the recent list', error);
        }
      }
      return toScanResult(outcome.studies, { skipped: outcome.skipped, stats: outcome.stats });
    },
    getSeries: (seriesId) => registry.getSeries(seriesId),
    getSeriesDetail: (seriesId) => registry.getSeriesDetail(seriesId),
    readInstanceBytes: (instanceId) => registry.readInstanceBytes(instanceId),
    listRecent: async () => (recents ? recents.list() : []),
    async dispose() {
      registry.clear();
    },
  };
}
