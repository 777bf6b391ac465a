import type { AppContext } from '../context';
import type { AppServices } from '../services';
import { UserFacingError, type InvokeHandlers } from '../../ipc/dispatch';
import { SessionError } from '../../services/sessions';

type SessionsChannel = Extract<keyof InvokeHandlers, `sessions:${string}`>;

/** Session errors carry a code and a sentence for the reader; pass both through IPC. */
async function userFacing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SessionError) throw new UserFacingError(error.code, error.message);
    throw error;
  }
}

// IPC handlers of the sessions feature, over its plain-Node service.
export function createSessionsHandlers(_ctx: AppContext, services: Pick<AppServices, 'sessions'>): Pick<InvokeHandlers, SessionsChannel> {
  const sessions = services.sessions;
  return {
    'sessions:create': (request) => userFacing(() => sessions.create(request)),
    'sessions:open': (request) => userFacing(() => sessions.open(request.path === undefined ? {} : { path: request.path })),
    'sessions:locate-study': (request) =>
      userFacing(() => sessions.locateStudy(request.folder === undefined ? { sessionPath: request.sessionPath } : { sessionPath: request.sessionPath, folder: request.folder })),
    'sessions:get': ({ sessionId }) => userFacing(() => sessions.get(sessionId)),
    'sessions:list-recent': () => userFacing(async () => ({ sessions: await sessions.listRecent() })),
    'sessions:attach-analysis': ({ sessionId }) => userFacing(() => sessions.attachAnalysis(sessionId)),
    'sessions:add-reader': ({ sessionId, readerName }) => userFacing(() => sessions.addReader(sessionId, readerName)),
    'sessions:set-opinion': ({ sessionId, layerId, manifestation, opinion }) => userFacing(() => sessions.setOpinion(sessionId, layerId, manifestation, opinion)),
    'sessions:set-findings': ({ sessionId, layerId, findings, impression }) => userFacing(() => sessions.setFindings(sessionId, layerId, findings, impression)),
    'sessions:save-mask': ({ sessionId, ...edit }) => userFacing(() => sessions.saveMask(sessionId, edit)),
    'sessions:get-mask': ({ sessionId, layerId, stream }) => userFacing(() => sessions.getMask(sessionId, layerId, stream)),
    'sessions:sign': ({ sessionId, layerId, readerName }) => userFacing(() => sessions.sign(sessionId, layerId, readerName)),
    'sessions:save': ({ sessionId }) => userFacing(() => sessions.save(sessionId)),
    'sessions:autosave': ({ sessionId, masks }) => userFacing(() => sessions.autosave(sessionId, masks ?? [])),
    'sessions:list-recoverable': () => userFacing(async () => ({ sessions: await sessions.listRecoverable() })),
    'sessions:recover': ({ sessionPath }) => userFacing(() => sessions.recover(sessionPath)),
    'sessions:discard-autosave': ({ sessionPath }) => userFacing(() => sessions.discardAutosave(sessionPath)),
    'sessions:close': ({ sessionId }) => userFacing(() => sessions.close(sessionId)),
    'sessions:export': ({ sessionId, kind, layerId, anonymise, path }) =>
      userFacing(() => sessions.export(sessionId, { kind, anonymise, ...(layerId === undefined ? {} : { layerId }), ...(path === undefined ? {} : { path }) })),
    'sessions:get-audit': ({ sessionId }) => userFacing(() => sessions.getAudit(sessionId)),
  };
}
