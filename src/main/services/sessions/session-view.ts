import type { StreamId } from '../../../common/analysis/report';
import type { OpenResult, SessionView } from '../../../common/sessions';
import { layerStats, type OpenSession } from './open-session';

/** The session as the review panel shows it (no mask volumes). */
export function sessionView(session: OpenSession): SessionView {
  const { file } = session;
  const ai = file.ai;
  return {
    sessionId: file.sessionId,
    name: file.name,
    path: session.dir,
    revision: file.revision,
    savedAt: file.savedAt,
    dirty: session.dirty,
    study: {
      studyInstanceUid: file.study.studyInstanceUid,
      seriesInstanceUid: file.study.seriesInstanceUid,
      seriesId: session.located?.seriesId ?? null,
      instanceIds: session.located?.instanceIds ?? null,
      sopInstanceUids: file.study.instances.map((instance) => instance.sopInstanceUid),
      modality: file.study.modality,
      seriesDescription: file.study.seriesDescription,
      studyDescription: file.study.studyDescription,
      studyDate: file.study.studyDate,
      patient: file.study.patient,
      rows: file.study.rows,
      columns: file.study.columns,
      slices: file.study.instances.length,
      lastKnownFolder: session.studyFolder,
    },
    ai: ai
      ? {
          layerId: 'ai',
          series: ai.analysis.series,
          models: ai.analysis.models,
          createdAt: ai.analysis.createdAt,
          streams: ai.masks?.streams ?? [],
          maskStats: ai.masks?.stats ?? [],
        }
      : null,
    readers: session.readers.map((reader) => {
      const edited = new Set<StreamId>([...(reader.masks?.streams ?? []), ...(session.dirtyStreams.get(reader.layerId) ?? [])]);
      return {
        layerId: reader.layerId,
        readerName: reader.readerName,
        createdAt: reader.createdAt,
        updatedAt: reader.updatedAt,
        opinions: reader.opinions,
        findings: reader.findings,
        impression: reader.impression,
        signedAt: reader.signedAt,
        editable: reader.signedAt === null,
        editedStreams: [...edited],
        maskStats: layerStats(session, reader.layerId),
      };
    }),
  };
}

export function needsFolderResult(session: OpenSession, problem: string | null): OpenResult {
  const { study } = session.file;
  return {
    status: 'needs-study-folder',
    sessionPath: session.dir,
    problem,
    study: {
      studyInstanceUid: study.studyInstanceUid,
      seriesInstanceUid: study.seriesInstanceUid,
      seriesDescription: study.seriesDescription,
      studyDate: study.studyDate,
      patientName: study.patient.name,
      slices: study.instances.length,
      lastKnownFolder: study.lastKnownFolder,
    },
  };
}
