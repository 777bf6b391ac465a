import { join } from 'node:path';
import type { AppContext } from './context';
import { createStudiesService, type StudiesService } from '../services/ingest';
import { createAnalysisService, type AnalysisService } from '../services/engine';
import { analysisPortOf, SessionService, studyPortOf } from '../services/sessions';

/**
 * The long-lived main-process services, created once per app (or per test host).
 * Each feature adds its service here; handlers receive this object.
 */
export interface AppServices {
  /** DICOM ingest: open folders, the study tree, `readInstanceBytes(id)` (null for unknown ids), `getSeries` for the engine. */
  studies: StudiesService;
  /** AI analysis: inference in a worker thread, latest results per series kept in memory. */
  analysis: AnalysisService;
  /** Review sessions (reader layers, autosave, audit) and their exports (SEG, PDF, CSV). */
  sessions: SessionService;
  dispose(): Promise<void>;
}

export function createAppServices(ctx: AppContext): AppServices {
  const studies = createStudiesService({ recentsFile: join(ctx.paths.userData, 'recent-studies.json') });
  const analysis = createAnalysisService({
    modelsDir: ctx.paths.modelsDir,
    getSeries: (seriesId) => studies.getSeries(seriesId),
    onProgress: ({ jobId, seriesId, stage, done, total, etaMs }) => ctx.emit('analysis:progress', { jobId, seriesId, stage, done, total, etaMs }),
    onFinished: (event) => ctx.emit('analysis:finished', event),
  });
  const sessions = new SessionService({
    userData: ctx.paths.userData,
    appVersion: ctx.version,
    platform: ctx.platform,
    studies: studyPortOf(studies),
    analysis: analysisPortOf(analysis, ctx.version),
    onChanged: (change) => ctx.emit('sessions:changed', change),
  });
  return {
    studies,
    analysis,
    sessions,
    async dispose() {
      // Closing autosaves a session's unsaved edits: quitting never drops a reader's work.
      for (const sessionId of sessions.openSessionIds()) {
        await sessions.close(sessionId).catch((error: unknown) => console.error(`[sessions] could not autosave ${sessionId} on quit`, error));
      }
      await analysis.dispose();
      await studies.dispose();
    },
  };
}
