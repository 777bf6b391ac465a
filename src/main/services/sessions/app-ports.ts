import type { StudiesService } from '../ingest';
import type { AnalysisService } from '../engine';
import type { IngestedSeries } from '../ingest';
import type { SessionAnalysisPort, SessionStudyPort, StreamLabelVolume } from './ports';

/** The studies (ingest) service as the sessions service sees it. */
export function studyPortOf(studies: Pick<StudiesService, 'getSeries' | 'openPaths'>): SessionStudyPort {
  return {
    getSeries: (seriesId) => studies.getSeries(seriesId),
    async openFolder(folder) {
      const result = await studies.openPaths([folder]);
      return result.studies
        .flatMap((study) => study.series.map((series) => studies.getSeries(series.seriesId)))
        .filter((series): series is IngestedSeries => series !== null);
    },
  };
}

/** The analysis service's latest result per series, with its masks. */
export function analysisPortOf(analysis: Pick<AnalysisService, 'getResult' | 'getMasks'>, appVersion: string): SessionAnalysisPort {
  return {
    resultFor(seriesId) {
      const result = analysis.getResult(seriesId);
      if (!result) return null;
      const masks: StreamLabelVolume[] = [];
      for (const stream of result.streams) {
        const volume = analysis.getMasks(seriesId, stream);
        if (volume) masks.push({ stream, rows: volume.rows, columns: volume.columns, labels: volume.labels, instanceIds: volume.instanceIds });
      }
      return {
        createdAt: result.createdAt,
        appVersion,
        models: result.models,
        executionProvider: result.executionProvider.used,
        series: result.result,
        masks,
      };
    },
  };
}
