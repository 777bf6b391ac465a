/**
 * The pipeline worker: decodes and preprocesses pixels, runs the pipeline and builds the
 * masks, so the Electron main thread (IPC, protocol handler) never waits on inference.
 * The models themselves run on a thread of their own (runtime/inference-thread.ts), so
 * this work overlaps with inference. Jobs run one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadManifest } from '../manifest';
import { CancelledError, runSeries } from '../pipeline/run-series';
import { RemoteRunner } from '../runtime/remote-runner';
import type { FromWorker, ToWorker, WorkerInit } from './protocol';

if (!parentPort) throw new Error('engine-worker must run in a worker thread.');
const port = parentPort;
const init = workerData as WorkerInit;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/**
 * The inference thread's entry: TypeScript next to this folder when running from source,
 * `inference-thread.js` next to this file in the electron-vite build (out/main). Computed
 * here, in the entry module, so that import.meta.url is this file's in both cases.
 */
function inferenceThreadUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../runtime/inference-thread.ts', import.meta.url) : new URL('./inference-thread.js', import.meta.url);
}

async function main(): Promise<void> {
  let runner: RemoteRunner;
  try {
    const loaded = await loadManifest(init.modelsDir);
    runner = new RemoteRunner(loaded, inferenceThreadUrl(), init);
    const provider = await runner.ready;
    post({
      type: 'ready',
      info: {
        models: [...loaded.models.values()].map((m) => ({ id: m.id, version: m.version, sha256: m.sha256, weightStorage: m.weightStorage })),
        provider,
      },
    });
  } catch (error) {
    post({ type: 'init-failed', error: error instanceof Error ? error.message : String(error) });
    return;
  }

  let queue = Promise.resolve();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'dispose') {
      void runner.dispose().finally(() => port.close());
      return;
    }
    const { jobId, series, options } = message;
    const flag = new Int32Array(message.cancelFlag);
    queue = queue.then(async () => {
      try {
        const outcome = await runSeries(series, options, runner, {
          isCancelled: () => Atomics.load(flag, 0) !== 0,
          onProgress: (progress) => post({ type: 'progress', jobId, progress }),
        });
        post({ type: 'done', jobId, outcome }, outcome.masks.map((m) => m.labels.buffer));
      } catch (error) {
        if (error instanceof CancelledError) post({ type: 'cancelled', jobId });
        else post({ type: 'failed', jobId, error: error instanceof Error ? error.message : String(error) });
      }
    });
  });
}

void main();
