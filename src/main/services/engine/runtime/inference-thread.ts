/**
 * The inference thread: owns the onnxruntime sessions (created once, reused for every
 * run). onnxruntime-node's `run` executes synchronously on the calling JavaScript thread,
 * so it gets a thread of its own: the pipeline worker keeps decoding, preprocessing and
 * building masks while a model runs here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadManifest } from '../manifest';
import { createSessions, tensor, type Session } from './sessions';
import type { FromInference, InferenceInit, ToInference } from './inference-protocol';

if (!parentPort) throw new Error('inference-thread must run in a worker thread.');
const port = parentPort;
const init = workerData as InferenceInit;
const post = (message: FromInference, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(): Promise<void> {
  let sessions: Map<string, Session>;
  const loaded = await loadManifest(init.modelsDir).catch((error: unknown) => {
    post({ type: 'init-failed', error: errorText(error) });
    return null;
  });
  if (!loaded) return;
  try {
    const created = await createSessions(loaded, init.device, init.threads);
    sessions = created.sessions;
    post({ type: 'ready', provider: created.provider });
  } catch (error) {
    post({ type: 'init-failed', error: errorText(error) });
    return;
  }
  // Runs are serialised by the message queue: one model at a time on this thread.
  port.on('message', async (message: ToInference) => {
    const { requestId, modelId, input, batch } = message;
    try {
      const session = sessions.get(modelId);
      const model = loaded.models.get(modelId);
      if (!session || !model) throw new Error(`The model "${modelId}" is not loaded.`);
      const { size, channels, name } = model.input;
      const results = await session.run({ [name]: tensor(input, [batch, channels, size, size]) });
      const outputs: Record<string, { data: Float32Array; dims: number[] }> = {};
      const transfer: ArrayBuffer[] = [];
      for (const [key, value] of Object.entries(results)) {
        // A copy of our own, so it can be transferred (not copied again) to the pipeline worker.
        const data = new Float32Array(value.data as Float32Array);
        outputs[key] = { data, dims: [...value.dims] };
        transfer.push(data.buffer);
      }
      post({ type: 'result', requestId, outputs }, transfer);
    } catch (error) {
      post({ type: 'error', requestId, error: errorText(error) });
    }
  });
}

void main();
