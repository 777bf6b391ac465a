/** Messages between the engine client (main thread) and the inference worker. */
import type { AnalysisOptions, Device, EngineInfo, Progress, SeriesInput, SeriesOutcome } from '../types';

export interface WorkerInit {
  modelsDir: string;
  device: Device;
  /** onnxruntime intra-op threads; 0 lets onnxruntime decide (one per physical core). */
  threads: number;
}

export type ToWorker =
  | { type: 'run'; jobId: string; series: SeriesInput; options: AnalysisOptions; cancelFlag: SharedArrayBuffer }
  | { type: 'dispose' };

export type FromWorker =
  | { type: 'ready'; info: EngineInfo }
  | { type: 'init-failed'; error: string }
  | { type: 'progress'; jobId: string; progress: Progress }
  | { type: 'done'; jobId: string; outcome: SeriesOutcome }
  | { type: 'cancelled'; jobId: string }
  | { type: 'failed'; jobId: string; error: string };
