// Channels of the analysis feature. Owned by the analysis feature; joined in contract.ts.
import { z } from 'zod';
import { AnalysisDevice, EngineStatus, SeriesAnalysis, SeriesMasks, StreamId } from '../analysis/report';
import { invoke } from './define';

const NoRequest = z.void().or(z.undefined());

export const AnalysisProgress = z.object({
  jobId: z.string(),
  seriesId: z.string(),
  stage: z.enum(['loading-models', 'recognition', 'manifestations', 'segmentation']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Estimated milliseconds to the end of the job; null before the first measurement. */
  etaMs: z.number().nonnegative().nullable(),
});
export type AnalysisProgress = z.infer<typeof AnalysisProgress>;

export const AnalysisFinished = z.object({
  jobId: z.string(),
  seriesId: z.string(),
  status: z.enum(['done', 'cancelled', 'failed']),
  /** For 'failed': what went wrong, in words a clinician or IT person understands. */
  error: z.string().optional(),
});
export type AnalysisFinished = z.infer<typeof AnalysisFinished>;

export const analysisInvokes = {
  /**
   * Starts the AI analysis of an opened series (runs in the background; follow
   * `analysis:progress` / `analysis:finished`). Fails with 'unknown-series' or
   * 'unsupported-modality'. Stages 2-3 run even when stage 1 says normal unless
   * skipStage23IfNormal is true. An empty `streams` runs stages 1-2 only.
   */
  'analysis:start': invoke(
    z.object({
      seriesId: z.string().min(1),
      streams: z.array(StreamId).max(4),
      device: AnalysisDevice.default('auto'),
      skipStage23IfNormal: z.boolean().optional(),
      /** Anatomical gate on the masks (default true; docs/analyzer.md). */
      anatomicalGate: z.boolean().optional(),
    }),
    z.object({ jobId: z.string() }),
  ),
  /** Stops a job between batches; `cancelled` is false for unknown or finished jobs. */
  'analysis:cancel': invoke(z.object({ jobId: z.string().min(1) }), z.object({ cancelled: z.boolean() })),
  /** The latest finished analysis of a series, or null when it was never analysed in this session. */
  'analysis:get-result': invoke(z.object({ seriesId: z.string().min(1) }), SeriesAnalysis.nullable()),
  /** One stream's label volume of the latest analysis, or null when that stream was not run. */
  'analysis:get-masks': invoke(z.object({ seriesId: z.string().min(1), stream: StreamId }), SeriesMasks.nullable()),
  /** Model ids and versions and the execution provider (loads the models on first call). */
  'analysis:get-engine-info': invoke(NoRequest, EngineStatus),
};

export const analysisEvents = {
  'analysis:progress': AnalysisProgress,
  'analysis:finished': AnalysisFinished,
};
