/** Messages between the pipeline worker and its inference thread (onnxruntime sessions). */
import type { ExecutionProviderReport } from '../../../../common/analysis/report';
import type { Device } from '../types';

export interface InferenceInit {
  modelsDir: string;
  device: Device;
  threads: number;
}

export type ToInference = { type: 'run'; requestId: number; modelId: string; input: Float32Array; batch: number };

export type FromInference =
  | { type: 'ready'; provider: ExecutionProviderReport }
  | { type: 'init-failed'; error: string }
  | { type: 'result'; requestId: number; outputs: Record<string, { data: Float32Array; dims: number[] }> }
  | { type: 'error'; requestId: number; error: string };
