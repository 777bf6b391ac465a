import ort from 'onnxruntime-node';
import type { ExecutionProviderReport } from '../../../../common/analysis/report';
import { verifyModelFile, type LoadedManifest, type ResolvedModel } from '../manifest';
import type { Device } from '../types';

export type Session = ort.InferenceSession;
export type OrtTensor = ort.Tensor;

export interface LoadedSessions {
  sessions: Map<string, Session>;
  provider: ExecutionProviderReport;
}

export function sessionOptions(model: ResolvedModel, providers: readonly string[], threads: number): ort.InferenceSession.SessionOptions {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: providers,
    graphOptimizationLevel: 'all',
    // Errors only: a failed CUDA probe is reported by us, with the reason, once.
    logSeverityLevel: 3,
  };
  if (threads > 0) options.intraOpNumThreads = threads;
  if (model.stage === 1) {
    // Recognition (Inception-v3 at 299 px) runs on a handful of slices per series but its
    // activations are the largest; without the arena its ~180 MB are returned after each
    // run instead of being held for the life of the app (measured: no slower).
    options.enableCpuMemArena = false;
  }
  const session: Record<string, string> = {
    // No busy-waiting between kernels: spinning threads burn the cores the Electron main
    // and renderer processes (and, while decoding, this worker's own thread) need; measured
    // on 2 shared cores, DeepLab at batch 8: 37-42 ms/slice without spinning, 61-66 with.
    'intra_op.allow_spinning': '0',
  };
  if (model.weightStorage === 'int8-qdq') {
    // int8 weights stored as QDQ: keep ORT from turning Q/DQ pairs into integer kernels,
    // so constant folding dequantizes the weights once and the model runs at fp32 speed.
    session.disable_quant_qdq = '1';
  }
  options.extra = { session };
  return options;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/**
 * Creates one session per model, once. CUDA is tried first when allowed: creating a
 * session with ['cuda', 'cpu'] throws when the CUDA provider libraries are missing (the
 * default install skips them; `npm run setup:cuda` adds them), so the first model is the
 * probe, and on failure every session is created on the CPU and the reason is kept.
 */
export async function createSessions(loaded: LoadedManifest, device: Device, threads = 0): Promise<LoadedSessions> {
  const models = [...loaded.models.values()];
  await Promise.all(models.map((model) => verifyModelFile(model)));
  // onnxruntime would also print the failed CUDA probe to stderr; failures reach us as
  // exceptions, which we report (fallbackReason, init errors), so keep its logger quiet.
  ort.env.logLevel = 'fatal';
  let provider: ExecutionProviderReport = { requested: device, used: 'cpu', fallbackReason: null };
  const sessions = new Map<string, Session>();
  let providers: readonly string[] = ['cpu'];
  if (device !== 'cpu' && models[0]) {
    try {
      const probe = await ort.InferenceSession.create(models[0].path, sessionOptions(models[0], ['cuda', 'cpu'], threads));
      sessions.set(models[0].id, probe);
      providers = ['cuda', 'cpu'];
      provider = { requested: device, used: 'cuda', fallbackReason: null };
    } catch (error) {
      provider = { requested: device, used: 'cpu', fallbackReason: `CUDA execution provider unavailable: ${firstLine(error)}` };
    }
  }
  for (const model of models) {
    if (sessions.has(model.id)) continue;
    try {
      sessions.set(model.id, await ort.InferenceSession.create(model.path, sessionOptions(model, providers, threads)));
    } catch (error) {
      for (const session of sessions.values()) await session.release();
      throw new Error(`Model ${model.id} could not be loaded: ${firstLine(error)}`);
    }
  }
  return { sessions, provider };
}

export function tensor(data: Float32Array, dims: readonly number[]): OrtTensor {
  return new ort.Tensor('float32', data, dims);
}
