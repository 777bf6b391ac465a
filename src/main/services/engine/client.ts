import type { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerInit } from './worker/protocol';
import { spawnWorker } from './worker/spawn';
import type { AnalysisOptions, Device, EngineInfo, Progress, SeriesInput, SeriesOutcome } from './types';

export interface EngineOptions {
  modelsDir: string;
  device?: Device;
  /** onnxruntime intra-op threads (0: one per physical core). */
  threads?: number;
  /** Override the worker entry (tests, unusual layouts). */
  workerUrl?: URL;
}

export class JobCancelledError extends Error {
  constructor(readonly jobId: string) {
    super('Analysis cancelled.');
    this.name = 'JobCancelledError';
  }
}

export interface EngineJob {
  jobId: string;
  /** Stops the job between batches; `outcome` then rejects with JobCancelledError. */
  cancel(): void;
  outcome: Promise<SeriesOutcome>;
}

interface PendingJob {
  resolve(outcome: SeriesOutcome): void;
  reject(error: Error): void;
  onProgress?: (progress: Progress) => void;
}

/**
 * Where the worker entry is: next to this module as TypeScript when running from source
 * (tsx, vitest), or as `engine-worker.js` next to the bundled main entry (electron-vite
 * emits it into out/main, see electron.vite.config.ts).
 */
function defaultWorkerUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./worker/engine-worker.ts', import.meta.url) : new URL('./engine-worker.js', import.meta.url);
}

let jobCounter = 0;

/**
 * The main-thread handle on the inference worker. Creating it starts the worker, which
 * loads and verifies the models once; jobs then reuse the same sessions.
 */
export class InferenceEngine {
  private readonly worker: Worker;
  private readonly jobs = new Map<string, PendingJob>();
  private readonly readyPromise: Promise<EngineInfo>;
  private exited = false;
  private isReady = false;

  constructor(readonly options: EngineOptions) {
    const init: WorkerInit = { modelsDir: options.modelsDir, device: options.device ?? 'auto', threads: options.threads ?? 0 };
    this.worker = spawnWorker(options.workerUrl ?? defaultWorkerUrl(), init);
    this.readyPromise = new Promise<EngineInfo>((resolve, reject) => {
      this.worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          this.isReady = true;
          resolve(message.info);
        }
        else if (message.type === 'init-failed') reject(new Error(message.error));
        else this.onJobMessage(message);
      });
      this.worker.on('error', (error) => {
        reject(error);
        this.failAll(error);
      });
      this.worker.on('exit', (code) => {
        this.exited = true;
        const error = new Error(`The inference worker stopped (exit code ${code}).`);
        reject(error);
        this.failAll(error);
      });
    });
    // Callers that never ask for readiness must not see an unhandled rejection.
    this.readyPromise.catch(() => undefined);
  }

  /** False once the worker has stopped (crash, dispose); a new engine is needed then. */
  get alive(): boolean {
    return !this.exited;
  }

  /** Model ids/versions and the execution provider actually used; rejects when models cannot load. */
  ready(): Promise<EngineInfo> {
    return this.readyPromise;
  }

  run(series: SeriesInput, options: AnalysisOptions, onProgress?: (progress: Progress) => void): EngineJob {
    const jobId = `job-${process.pid}-${Date.now().toString(36)}-${(++jobCounter).toString(36)}`;
    const cancelFlag = new SharedArrayBuffer(4);
    const outcome = new Promise<SeriesOutcome>((resolve, reject) => {
      this.jobs.set(jobId, { resolve, reject, onProgress });
    });
    outcome.catch(() => undefined);
    // The first job also waits for the models to load (seconds); say so.
    const waitsForModels = !this.isReady;
    if (waitsForModels) onProgress?.({ stage: 'loading-models', done: 0, total: 1, etaMs: null });
    this.readyPromise.then(
      () => {
        if (this.exited) {
          this.settle(jobId, (job) => job.reject(new Error('The inference worker has stopped; start the analysis again.')));
          return;
        }
        if (waitsForModels) onProgress?.({ stage: 'loading-models', done: 1, total: 1, etaMs: null });
        this.post({ type: 'run', jobId, series, options, cancelFlag });
      },
      (error: unknown) => this.settle(jobId, (job) => job.reject(error instanceof Error ? error : new Error(String(error)))),
    );
    return {
      jobId,
      cancel: () => Atomics.store(new Int32Array(cancelFlag), 0, 1),
      outcome,
    };
  }

  async dispose(): Promise<void> {
    if (this.exited) return;
    this.post({ type: 'dispose' });
    await this.worker.terminate();
  }

  private post(message: ToWorker): void {
    if (!this.exited) this.worker.postMessage(message);
  }

  private settle(jobId: string, action: (job: PendingJob) => void): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    this.jobs.delete(jobId);
    action(job);
  }

  private onJobMessage(message: Exclude<FromWorker, { type: 'ready' } | { type: 'init-failed' }>): void {
    switch (message.type) {
      case 'progress':
        this.jobs.get(message.jobId)?.onProgress?.(message.progress);
        return;
      case 'done':
        this.settle(message.jobId, (job) => job.resolve(message.outcome));
        return;
      case 'cancelled':
        this.settle(message.jobId, (job) => job.reject(new JobCancelledError(message.jobId)));
        return;
      case 'failed':
        this.settle(message.jobId, (job) => job.reject(new Error(message.error)));
        return;
    }
  }

  private failAll(error: Error): void {
    for (const jobId of [...this.jobs.keys()]) this.settle(jobId, (job) => job.reject(error));
  }
}
