import type { Worker } from 'node:worker_threads';
import type { ExecutionProviderReport } from '../../../../common/analysis/report';
import type { LoadedManifest } from '../manifest';
import type { ModelOutput, ModelRunner } from '../pipeline/model-runner';
import { spawnWorker } from '../worker/spawn';
import type { FromInference, InferenceInit, ToInference } from './inference-protocol';

/**
 * A ModelRunner whose models run on the inference thread. `run` copies the input tensor
 * (the pipeline reuses one tensor for several models) and receives the outputs by
 * transfer.
 */
export class RemoteRunner implements ModelRunner {
  readonly ready: Promise<ExecutionProviderReport>;
  private readonly thread: Worker;
  private readonly pending = new Map<number, { resolve(outputs: Record<string, ModelOutput>): void; reject(error: Error): void }>();
  private nextId = 0;
  /** Set once the thread has died; later runs fail at once instead of waiting forever. */
  private failure: Error | null = null;

  constructor(
    private readonly loaded: LoadedManifest,
    threadUrl: URL,
    init: InferenceInit,
  ) {
    this.thread = spawnWorker(threadUrl, init);
    this.ready = new Promise<ExecutionProviderReport>((resolve, reject) => {
      this.thread.on('message', (message: FromInference) => {
        if (message.type === 'ready') resolve(message.provider);
        else if (message.type === 'init-failed') reject(new Error(message.error));
        else this.settle(message);
      });
      const fail = (error: Error) => {
        this.failure ??= error;
        reject(error);
        for (const { reject: rejectRun } of this.pending.values()) rejectRun(error);
        this.pending.clear();
      };
      this.thread.on('error', fail);
      this.thread.on('exit', (code) => fail(new Error(`The inference thread stopped (exit code ${code}).`)));
    });
    this.ready.catch(() => undefined);
  }

  get preprocessing() {
    return this.loaded.manifest.preprocessing;
  }

  model(id: string) {
    return this.loaded.models.get(id);
  }

  run(modelId: string, input: Float32Array, batch: number): Promise<Record<string, ModelOutput>> {
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      this.pending.set(requestId, { resolve, reject });
      const message: ToInference = { type: 'run', requestId, modelId, input: input.slice(), batch };
      this.thread.postMessage(message, [message.input.buffer as ArrayBuffer]);
    });
  }

  async dispose(): Promise<void> {
    await this.thread.terminate();
  }

  private settle(message: Extract<FromInference, { requestId: number }>): void {
    const request = this.pending.get(message.requestId);
    if (!request) return;
    this.pending.delete(message.requestId);
    if (message.type === 'result') request.resolve(message.outputs);
    else request.reject(new Error(message.error));
  }
}
