/**
 * Review-session lifecycle and edits, over the sessions IPC (src/common/ipc/sessions.ts).
 * Results land in `review` (state.svelte.ts); components only call these functions.
 */
import type { Manifestation } from '../../../common/analysis/report';
import type { MaskEdit } from '../../../common/ipc/sessions';
import type { Opinion } from '../../../common/sessions/session-file';
import type { OpenResult, SessionView } from '../../../common/sessions/views';
import { api } from '../../lib/api';
import { viewer } from '../../state/viewer.svelte';
import { openPaths, selectSeries } from '../studyBrowser';
import { messageOf } from './labels';
import { review } from './state.svelte';

/** How long findings typing waits before it is sent (one audit line per pause, not per key). */
export const FINDINGS_DEBOUNCE_MS = 800;

/** Collects mask edits not yet handed to the service (registered by the mask editor). */
type MaskEditSource = () => Promise<MaskEdit[]>;
let maskEditSource: MaskEditSource = async () => [];

export function setMaskEditSource(source: MaskEditSource): void {
  maskEditSource = source;
}

/** Runs one user action: shows it as busy, and its failure as a readable message. */
async function act<T>(label: string, work: () => Promise<T>): Promise<T | undefined> {
  review.busy = label;
  review.error = null;
  try {
    return await work();
  } catch (error) {
    review.error = messageOf(error);
    return undefined;
  } finally {
    if (review.busy === label) review.busy = null;
  }
}

function sessionId(): string {
  if (!review.session) throw new Error('No review session is open.');
  return review.session.sessionId;
}

function adopt(session: SessionView): void {
  const changedSession = review.session?.sessionId !== session.sessionId;
  review.session = session;
  if (changedSession) {
    review.audit = null;
    review.exports = [];
    review.autosavedAt = null;
    review.hiddenLayers = {};
  }
}

export async function refreshLists(): Promise<void> {
  try {
    const [recent, recoverable] = await Promise.all([api.invoke('sessions:list-recent', {}), api.invoke('sessions:list-recoverable', {})]);
    review.recent = recent.sessions;
    review.recoverable = recoverable.sessions;
  } catch (error) {
    // Lists are a convenience: opening by folder still works without them.
    console.warn('Review session lists unavailable:', messageOf(error));
  }
}

/** Start a session on the series on screen, with `readerName` as reader 1 (the AI layer joins when the series was analysed). */
export async function startReview(readerName: string): Promise<void> {
  const series = viewer.activeSeries;
  if (!series) {
    review.error = 'Open a series first.';
    return;
  }
  const session = await act('Starting review', () =>
    api.invoke('sessions:create', { studyInstanceUid: series.studyInstanceUid, seriesId: series.seriesId, readerName }),
  );
  if (!session) return;
  adopt(session);
  review.readerLayerId = session.readers[0]?.layerId ?? null;
  void refreshLists();
}

/** Open a `.pleura` folder (omitted: the folder dialog). */
export async function openSession(path?: string): Promise<void> {
  const result = await act('Opening session', () => api.invoke('sessions:open', path === undefined ? {} : { path }));
  if (result) await handleOpenResult(result);
}

/** Point the session that asked for its study at a folder (omitted: the folder dialog). */
export async function locateStudy(): Promise<void> {
  const request = review.locate;
  if (!request) return;
  const result = await act('Looking for the study', () => api.invoke('sessions:locate-study', { sessionPath: request.sessionPath }));
  if (result) await handleOpenResult(result);
}

export async function recoverSession(sessionPath: string): Promise<void> {
  // One session at a time in the panel: the open one is closed (its edits autosaved) first.
  if (review.session) await closeSession();
  const result = await act('Recovering unsaved work', () => api.invoke('sessions:recover', { sessionPath }));
  if (result) await handleOpenResult(result);
  void refreshLists();
}

export async function discardAutosave(sessionPath: string): Promise<void> {
  await act('Discarding unsaved work', () => api.invoke('sessions:discard-autosave', { sessionPath }));
  await refreshLists();
}

async function handleOpenResult(result: OpenResult): Promise<void> {
  if (result.status === 'cancelled') return;
  if (result.status === 'needs-study-folder') {
    review.locate = { sessionPath: result.sessionPath, study: result.study, problem: result.problem };
    return;
  }
  review.locate = null;
  adopt(result.session);
  // Who reviews is chosen in the panel: continue an unsigned layer or join as a new reader.
  review.readerLayerId = null;
  void refreshLists();
  await showSessionSeries(result.session);
}

/** Put the session's series on screen (the study was located, so the ingest service knows it). */
async function showSessionSeries(session: SessionView): Promise<void> {
  const seriesId = session.study.seriesId;
  if (!seriesId || viewer.activeSeries?.seriesId === seriesId) return;
  const listed = viewer.studies.some((study) => study.series.some((series) => series.seriesId === seriesId));
  // Rescanning the folder also lists the study in the browser; it is quick (headers only).
  if (!listed) await openPaths([session.study.lastKnownFolder]);
  if (viewer.activeSeries?.seriesId !== seriesId) await selectSeries(seriesId);
}

export function cancelLocate(): void {
  review.locate = null;
}

export async function closeSession(): Promise<void> {
  const id = review.session?.sessionId;
  if (!id) return;
  await flushFindings();
  await act('Closing session', async () => {
    const edits = await maskEditSource();
    if (edits.length > 0) await api.invoke('sessions:autosave', { sessionId: id, masks: edits });
    await api.invoke('sessions:close', { sessionId: id });
  });
  review.session = null;
  review.readerLayerId = null;
  review.audit = null;
  void refreshLists();
}

export function continueAs(layerId: string): void {
  review.readerLayerId = layerId;
}

export async function joinAsReader(readerName: string): Promise<void> {
  const result = await act('Adding reader', () => api.invoke('sessions:add-reader', { sessionId: sessionId(), readerName }));
  if (!result) return;
  adopt(result.session);
  review.readerLayerId = result.layerId;
}

/** Attach the series' AI analysis to a session started before it ran. */
export async function attachAnalysis(): Promise<void> {
  const session = await act('Attaching AI result', () => api.invoke('sessions:attach-analysis', { sessionId: sessionId() }));
  if (session) adopt(session);
}

export async function setOpinion(manifestation: Manifestation, opinion: Opinion | null): Promise<void> {
  const layerId = review.readerLayerId;
  if (!layerId) return;
  const session = await act('Saving opinion', () => api.invoke('sessions:set-opinion', { sessionId: sessionId(), layerId, manifestation, opinion }));
  if (session) adopt(session);
}

// ---- findings: sent after a pause in typing, and before any save, sign or close.

let pendingFindings: { layerId: string; findings: string; impression: string } | null = null;
let findingsTimer: ReturnType<typeof setTimeout> | null = null;

export function editFindings(findings: string, impression: string): void {
  const layerId = review.readerLayerId;
  if (!layerId) return;
  pendingFindings = { layerId, findings, impression };
  if (review.session) review.session.dirty = true;
  if (findingsTimer) clearTimeout(findingsTimer);
  findingsTimer = setTimeout(() => void flushFindings(), FINDINGS_DEBOUNCE_MS);
}

export async function flushFindings(): Promise<void> {
  if (findingsTimer) clearTimeout(findingsTimer);
  findingsTimer = null;
  const pending = pendingFindings;
  pendingFindings = null;
  if (!pending || !review.session) return;
  const id = review.session.sessionId;
  try {
    const session = await api.invoke('sessions:set-findings', { sessionId: id, ...pending });
    if (review.session?.sessionId === id) adopt(session);
  } catch (error) {
    review.error = messageOf(error);
  }
}

/** Hand over findings and mask edits still held in the panel, so a save or an autosave includes them. */
async function flushEdits(): Promise<MaskEdit[]> {
  await flushFindings();
  return maskEditSource();
}

export async function saveSession(): Promise<void> {
  await act('Saving', async () => {
    const id = sessionId();
    for (const edit of await flushEdits()) await api.invoke('sessions:save-mask', { sessionId: id, ...edit });
    adopt(await api.invoke('sessions:save', { sessionId: id }));
    review.autosavedAt = null;
  });
  void refreshLists();
}

export async function autosaveSession(): Promise<void> {
  const id = review.session?.sessionId;
  if (!id) return;
  try {
    const masks = await flushEdits();
    const result = await api.invoke('sessions:autosave', { sessionId: id, masks });
    if (review.session?.sessionId !== id) return;
    review.autosavedAt = result.autosavedAt;
    review.session.dirty = result.dirty;
  } catch (error) {
    review.error = `Autosave failed: ${messageOf(error)}`;
  }
}

/** Sign the current reader's layer; the service checks the name against the layer's reader. */
export async function signLayer(readerName: string): Promise<void> {
  const layerId = review.readerLayerId;
  if (!layerId) return;
  await act('Signing', async () => {
    const id = sessionId();
    for (const edit of await flushEdits()) await api.invoke('sessions:save-mask', { sessionId: id, ...edit });
    adopt(await api.invoke('sessions:sign', { sessionId: id, layerId, readerName }));
    review.autosavedAt = null;
  });
  void refreshLists();
}

export async function loadAudit(): Promise<void> {
  const audit = await act('Reading audit log', () => api.invoke('sessions:get-audit', { sessionId: sessionId() }));
  if (audit) review.audit = audit;
}

/** Keep an open audit view current after each change (quietly: no busy state, errors only logged). */
function refreshOpenAudit(id: string): void {
  if (!review.audit) return;
  void api
    .invoke('sessions:get-audit', { sessionId: id })
    .then((audit) => {
      if (review.session?.sessionId === id && review.audit) review.audit = audit;
    })
    .catch((error: unknown) => console.warn('Audit log refresh failed:', messageOf(error)));
}

/** Follow changes made elsewhere (another panel, a save) to the open session. */
export function followSessionChanges(): () => void {
  return api.on('sessions:changed', ({ sessionId: changed, revision, dirty }) => {
    const session = review.session;
    if (!session || session.sessionId !== changed) return;
    refreshOpenAudit(changed);
    if (revision !== session.revision) {
      void api.invoke('sessions:get', { sessionId: changed }).then((fresh) => {
        if (review.session?.sessionId === changed) adopt(fresh);
      });
    } else if (!pendingFindings) {
      session.dirty = dirty;
    }
  });
}
