import type { AnalysisDevice, EngineStatus, SeriesAnalysis, SeriesMasks, StreamId } from '../../../common/analysis/report';
import { RESEARCH_NOTICE } from '../../../common/analysis/report';
import type { IngestedSeries } from '../ingest';
import { InferenceEngine, JobCancelledError } from './client';
import { seriesInputFromIngest } from './series-input';
import type { EngineInfo, Progress, SeriesOutcome, StreamMasks } from './types';

export class AnalysisError extends Error {
  constructor(
    readonly code: 'unknown-series' | 'unsupported-modality' | 'models-unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'AnalysisError';
  }
}

export interface AnalysisRequest {
  seriesId: string;
  streams: StreamId[];
  device: AnalysisDevice;
  skipStage23IfNormal?: boolean;
  /** Anatomical gate on the masks (default true). */
  anatomicalGate?: boolean;
}

export interface AnalysisServiceOptions {
  modelsDir: string;
  /** Where opened series come from (the ingest service). */
  getSeries(seriesId: string): IngestedSeries | null;
  onProgress?(event: Progress & { jobId: string; seriesId: string }): void;
  onFinished?(event: { jobId: string; seriesId: string; status: 'done' | 'cancelled' | 'failed'; error?: string }): void;
  threads?: number;
}

export interface AnalysisService {
  start(request: AnalysisRequest): { jobId: string };
  cancel(jobId: string): boolean;
  getResult(seriesId: string): SeriesAnalysis | null;
  getMasks(seriesId: string, stream: StreamId): SeriesMasks | null;
  engineStatus(device?: AnalysisDevice): Promise<EngineStatus>;
  /** Resolves when the job ends (any status); for tests and the CLI. */
  whenFinished(jobId: string): Promise<void>;
  dispose(): Promise<void>;
}

interface StoredAnalysis {
  analysis: SeriesAnalysis;
  masks: Map<StreamId, StreamMasks>;
}

/**
 * The analysis feature's service: one inference engine per device (models loaded once),
 * one running job per series, and the latest results per series kept in memory while
 * the app runs (masks as label volumes), so the viewer can re-run with other streams.
 */
export function createAnalysisService(options: AnalysisServiceOptions): AnalysisService {
  const results = new Map<string, StoredAnalysis>();
  const running = new Map<string, { cancel(): void; seriesId: string; finished: Promise<void> }>();
  // One engine (one set of loaded models, ~1 GB) at a time. A request for another device
  // replaces it once its running jobs are done; `cpu` reuses an `auto` engine that fell
  // back to the CPU anyway.
  let current: { device: AnalysisDevice; engine: InferenceEngine; usedCpu: boolean | null; jobs: Set<Promise<void>> } | null = null;
  const retired = new Set<InferenceEngine>();

  const engineFor = (device: AnalysisDevice) => {
    if (current && !current.engine.alive) current = null;
    if (current && (current.device === device || (device === 'cpu' && current.usedCpu === true))) return current;
    const previous = current;
    if (previous) {
      retired.add(previous.engine);
      void Promise.allSettled([...previous.jobs]).then(async () => {
        await previous.engine.dispose();
        retired.delete(previous.engine);
      });
    }
    const engine = new InferenceEngine({ modelsDir: options.modelsDir, device, threads: options.threads ?? 0 });
    const entry = { device, engine, usedCpu: null as boolean | null, jobs: new Set<Promise<void>>() };
    engine.ready().then(
      (info) => {
        entry.usedCpu = info.provider.used === 'cpu';
      },
      () => {
        // Models missing or corrupt: forget this engine so that a later request (after the
        // models are installed) starts a fresh one; the failing job reports the reason.
        if (current === entry) current = null;
        void engine.dispose();
      },
    );
    current = entry;
    return entry;
  };

  const store = (seriesId: string, request: AnalysisRequest, info: EngineInfo, outcome: SeriesOutcome, viewerIds: Map<string, string>) => {
    const analysis: SeriesAnalysis = {
      seriesId,
      result: outcome.result,
      createdAt: new Date().toISOString(),
      models: info.models.map(({ id, version, sha256 }) => ({ id, version, sha256 })),
      executionProvider: info.provider,
      timingsMs: outcome.timingsMs,
      skipped: outcome.skipped,
      streams: outcome.masks.map((m) => m.stream),
      options: {
        streams: request.streams,
        device: request.device,
        skipStage23IfNormal: request.skipStage23IfNormal ?? false,
        anatomicalGate: request.anatomicalGate ?? true,
      },
      viewerInstanceIds: Object.fromEntries(viewerIds),
      notice: RESEARCH_NOTICE,
    };
    results.set(seriesId, { analysis, masks: new Map(outcome.masks.map((m) => [m.stream, m])) });
  };

  return {
    start(request) {
      const series = options.getSeries(request.seriesId);
      if (!series) throw new AnalysisError('unknown-series', 'This series is not open any more; open the study again.');
      let input: ReturnType<typeof seriesInputFromIngest>;
      try {
        input = seriesInputFromIngest(series);
      } catch (error) {
        throw new AnalysisError('unsupported-modality', error instanceof Error ? error.message : String(error));
      }
      // A new request for the same series replaces the running one.
      for (const job of running.values()) if (job.seriesId === request.seriesId) job.cancel();
      const slot = engineFor(request.device);
      const engine = slot.engine;
      const { viewerIds, ...seriesInput } = input;
      // The engine may report progress ('loading-models') before `run` returns the job id:
      // hold those events and send them once the id is known, after the caller got it.
      let jobId: string | null = null;
      const early: Progress[] = [];
      const report = (progress: Progress) => options.onProgress?.({ ...progress, jobId: jobId!, seriesId: request.seriesId });
      const runOptions = { streams: request.streams, skipStage23IfNormal: request.skipStage23IfNormal ?? false, anatomicalGate: request.anatomicalGate ?? true };
      const job = engine.run(seriesInput, runOptions, (progress) => {
        if (jobId === null || early.length > 0) early.push(progress);
        else report(progress);
      });
      jobId = job.jobId;
      if (early.length > 0) setImmediate(() => early.splice(0).forEach(report));
      const finished = Promise.all([engine.ready(), job.outcome]).then(
        ([info, outcome]) => {
          store(request.seriesId, request, info, outcome, viewerIds);
          options.onFinished?.({ jobId: job.jobId, seriesId: request.seriesId, status: 'done' });
        },
        (error: unknown) => {
          if (error instanceof JobCancelledError) options.onFinished?.({ jobId: job.jobId, seriesId: request.seriesId, status: 'cancelled' });
          else options.onFinished?.({ jobId: job.jobId, seriesId: request.seriesId, status: 'failed', error: error instanceof Error ? error.message : String(error) });
        },
      );
      const entry = { cancel: job.cancel, seriesId: request.seriesId, finished: finished.finally(() => running.delete(job.jobId)) };
      running.set(job.jobId, entry);
      slot.jobs.add(entry.finished);
      void entry.finished.finally(() => slot.jobs.delete(entry.finished));
      return { jobId: job.jobId };
    },
    cancel(jobId) {
      const job = running.get(jobId);
      if (!job) return false;
      job.cancel();
      return true;
    },
    getResult: (seriesId) => results.get(seriesId)?.analysis ?? null,
    getMasks(seriesId, stream) {
      const stored = results.get(seriesId);
      const masks = stored?.masks.get(stream);
      if (!stored || !masks) return null;
      const viewerIds = stored.analysis.viewerInstanceIds;
      return {
        stream,
        rows: masks.rows,
        columns: masks.columns,
        slices: masks.instanceIds.length,
        labels: masks.labels,
        instanceIds: masks.instanceIds.map((id) => viewerIds[id] ?? id),
        sopInstanceUids: masks.instanceIds,
      };
    },
    async engineStatus(device = 'auto') {
      try {
        const info = await engineFor(device).engine.ready();
        return { available: true, models: info.models, executionProvider: info.provider };
      } catch (error) {
        return { available: false, reason: error instanceof Error ? error.message : String(error) };
      }
    },
    whenFinished: async (jobId) => {
      await running.get(jobId)?.finished;
    },
    async dispose() {
      for (const job of running.values()) job.cancel();
      const engines = [...retired, ...(current ? [current.engine] : [])];
      current = null;
      await Promise.all(engines.map((engine) => engine.dispose()));
      results.clear();
    },
  };
}
