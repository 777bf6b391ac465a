import type { ModelRef, SeriesResult, StreamId } from '../../../common/analysis/report';
import type { IngestedSeries } from '../ingest';

/**
 * What the sessions service needs from the rest of the app. Kept as ports so the
 * service is plain Node and testable without Electron; the app wires them to the
 * studies (ingest) and analysis services in src/main/app/services.ts.
 */
export interface SessionStudyPort {
  /** An open series (slice order, file paths) by the viewer's series id; null when not open. */
  getSeries(seriesId: string): IngestedSeries | null;
  /** Series open in the viewer now; optional (without it, recorded and picked folders are scanned). */
  openSeries?(): readonly IngestedSeries[];
  /** Scan a folder with the ingest service, open what it holds in the viewer, and return its series. */
  openFolder(folder: string): Promise<readonly IngestedSeries[]>;
}

/** A label volume of one stream, as the engine produces it (slice-major in series order). */
export interface StreamLabelVolume {
  stream: StreamId;
  rows: number;
  columns: number;
  labels: Uint8Array;
  /** One id per slice: viewer instance ids or SOPInstanceUIDs (`#frame` for multi-frame). */
  instanceIds: readonly string[];
}

/** The latest analysis of a series: the report's series part, its models, and its masks. */
export interface AnalysisForSeries {
  createdAt: string;
  appVersion: string;
  models: ModelRef[];
  /** 'cpu' / 'cuda', when known. */
  executionProvider: string | null;
  series: SeriesResult;
  masks: StreamLabelVolume[];
}

export interface SessionAnalysisPort {
  /** The latest analysis of a series in this app session, or null when it has not been analysed. */
  resultFor(seriesId: string): AnalysisForSeries | null;
}
