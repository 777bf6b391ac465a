import type { AppContext } from '../context';
import type { AppServices } from '../services';
import { UserFacingError, type InvokeHandlers } from '../../ipc/dispatch';
import { AnalysisError } from '../../services/engine';

type AnalysisHandlers = Pick<
  InvokeHandlers,
  'analysis:start' | 'analysis:cancel' | 'analysis:get-result' | 'analysis:get-masks' | 'analysis:get-engine-info'
>;

function userFacing<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof AnalysisError) throw new UserFacingError(error.code, error.message);
    throw error;
  }
}

// IPC handlers of the analysis feature, over its plain-Node service. Inference runs in the
// engine's worker thread; these handlers only start, cancel and read results.
export function createAnalysisHandlers(_ctx: AppContext, services: AppServices): AnalysisHandlers {
  const analysis = services.analysis;
  return {
    'analysis:start': async (request) =>
      userFacing(() =>
        analysis.start({
          seriesId: request.seriesId,
          streams: request.streams,
          device: request.device,
          ...(request.skipStage23IfNormal !== undefined ? { skipStage23IfNormal: request.skipStage23IfNormal } : {}),
          ...(request.anatomicalGate !== undefined ? { anatomicalGate: request.anatomicalGate } : {}),
        }),
      ),
    'analysis:cancel': async ({ jobId }) => ({ cancelled: analysis.cancel(jobId) }),
    'analysis:get-result': async ({ seriesId }) => analysis.getResult(seriesId),
    'analysis:get-masks': async ({ seriesId, stream }) => analysis.getMasks(seriesId, stream),
    'analysis:get-engine-info': async () => analysis.engineStatus(),
  };
}
