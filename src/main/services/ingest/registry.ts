import { readFile } from 'node:fs/promises';
import type { InstanceDetail, ScanResult, SeriesDetail, SeriesSummary, StudySummary } from '../../../common/dicom';
import type { IngestedInstance, IngestedSeries, IngestedStudy } from './types';

function withoutPath(instance: IngestedInstance): InstanceDetail {
  const { filePath: _filePath, ...detail } = instance;
  return detail;
}

export function toSeriesSummary(series: IngestedSeries): SeriesSummary {
  const { studyInstanceUid: _study, instances, ...rest } = series;
  return {
    ...rest,
    instances: instances.map((instance) => ({
      id: instance.id,
      fileId: instance.fileId,
      sopInstanceUid: instance.sopInstanceUid,
      frame: instance.frame,
      instanceNumber: instance.instanceNumber,
      imagePositionPatient: instance.imagePositionPatient,
      transferSyntaxUid: instance.transferSyntaxUid,
    })),
  };
}

export function toStudySummary(study: IngestedStudy): StudySummary {
  return { ...study, series: study.series.map(toSeriesSummary) };
}

/**
 * What the user has opened in this session. The renderer only ever holds opaque
 * instance ids; this map is the one place they turn back into files, so nothing
 * outside the opened folders can be fetched through `/instance/<id>`.
 */
export class StudyRegistry {
  private readonly instances = new Map<string, { filePath: string; frame: number | null }>();
  private readonly series = new Map<string, IngestedSeries>();

  register(studies: readonly IngestedStudy[]): void {
    for (const study of studies) {
      for (const series of study.series) {
        this.series.set(series.seriesId, series);
        for (const instance of series.instances) {
          this.instances.set(instance.id, { filePath: instance.filePath, frame: instance.frame });
          this.instances.set(instance.fileId, { filePath: instance.filePath, frame: null });
        }
      }
    }
  }

  getSeries(seriesId: string): IngestedSeries | null {
    return this.series.get(seriesId) ?? null;
  }

  getSeriesDetail(seriesId: string): SeriesDetail | null {
    const series = this.series.get(seriesId);
    return series ? { ...series, instances: series.instances.map(withoutPath) } : null;
  }

  locate(instanceId: string): { filePath: string; frame: number | null } | null {
    return this.instances.get(instanceId) ?? null;
  }

  /** The whole file of a registered instance or file id (multi-frame files: the renderer picks the frame). */
  async readInstanceBytes(instanceId: string): Promise<Uint8Array | null> {
    const entry = this.instances.get(instanceId);
    if (!entry) return null;
    try {
      return new Uint8Array(await readFile(entry.filePath));
    } catch {
      // Moved or deleted since it was opened: the viewer shows "not found" for it.
      return null;
    }
  }

  clear(): void {
    this.instances.clear();
    this.series.clear();
  }
}

export function toScanResult(studies: readonly IngestedStudy[], rest: Omit<ScanResult, 'studies'>): ScanResult {
  return { studies: studies.map(toStudySummary), ...rest };
}
