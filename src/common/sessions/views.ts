/**
 * What the sessions service answers over IPC: the session as the review panel shows it
 * (every layer, without mask volumes), and the answers of open / locate / recover.
 */
import { z } from 'zod';
import { ModelRef, SeriesResult, StreamId } from '../analysis/report';
import { AuditEntry, LayerId, MaskStat, Opinions, PatientRef, ReaderLayerId } from './session-file';

export const StudyView = z.object({
  studyInstanceUid: z.string(),
  seriesInstanceUid: z.string(),
  /** The viewer's series id once the study is located on this workstation; null before. */
  seriesId: z.string().nullable(),
  /** Viewer instance ids (for `/instance/<id>`) in slice order, aligned with sopInstanceUids; null until located. */
  instanceIds: z.array(z.string()).nullable(),
  sopInstanceUids: z.array(z.string()),
  modality: z.string(),
  seriesDescription: z.string(),
  studyDescription: z.string(),
  studyDate: z.string(),
  patient: PatientRef,
  rows: z.number().int(),
  columns: z.number().int(),
  slices: z.number().int(),
  lastKnownFolder: z.string(),
});
export type StudyView = z.infer<typeof StudyView>;

export const AiLayerView = z.object({
  layerId: z.literal('ai'),
  series: SeriesResult,
  models: z.array(ModelRef),
  createdAt: z.string(),
  /** Streams with AI masks (fetch each with sessions:get-mask). */
  streams: z.array(StreamId),
  maskStats: z.array(MaskStat),
});
export type AiLayerView = z.infer<typeof AiLayerView>;

export const ReaderLayerView = z.object({
  layerId: ReaderLayerId,
  readerName: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  opinions: Opinions,
  findings: z.string(),
  impression: z.string(),
  signedAt: z.string().nullable(),
  /** False once signed: the service then refuses every change to this layer. */
  editable: z.boolean(),
  /** Streams this reader edited; other streams show the AI mask. */
  editedStreams: z.array(StreamId),
  maskStats: z.array(MaskStat),
});
export type ReaderLayerView = z.infer<typeof ReaderLayerView>;

export const SessionView = z.object({
  sessionId: z.string(),
  name: z.string(),
  /** The `<name>.pleura` folder. */
  path: z.string(),
  revision: z.number().int(),
  savedAt: z.string(),
  /** Changes since the last save (call sessions:save, or sessions:autosave to protect them). */
  dirty: z.boolean(),
  study: StudyView,
  ai: AiLayerView.nullable(),
  readers: z.array(ReaderLayerView),
});
export type SessionView = z.infer<typeof SessionView>;

/** What identifies the study to look for, shown when asking the user for its folder. */
export const StudyHint = z.object({
  studyInstanceUid: z.string(),
  seriesInstanceUid: z.string(),
  seriesDescription: z.string(),
  studyDate: z.string(),
  patientName: z.string(),
  slices: z.number().int(),
  lastKnownFolder: z.string(),
});
export type StudyHint = z.infer<typeof StudyHint>;

export const OpenResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('opened'), session: SessionView }),
  z.object({
    status: z.literal('needs-study-folder'),
    sessionPath: z.string(),
    study: StudyHint,
    /** Why the last attempt failed (e.g. the picked folder holds another study); null on first ask. */
    problem: z.string().nullable(),
  }),
  z.object({ status: z.literal('cancelled') }),
]);
export type OpenResult = z.infer<typeof OpenResult>;

export const MaskVolume = z.object({
  layerId: LayerId,
  stream: StreamId,
  rows: z.number().int(),
  columns: z.number().int(),
  slices: z.number().int(),
  /** Slice-major label volume (see StreamId for label values); null when this layer has no mask for the stream. */
  labels: z.instanceof(Uint8Array).nullable(),
});
export type MaskVolume = z.infer<typeof MaskVolume>;

export const RecoverableSession = z.object({
  sessionPath: z.string(),
  sessionId: z.string(),
  name: z.string(),
  savedAt: z.string(),
  autosavedAt: z.string(),
  seriesDescription: z.string(),
  readers: z.array(z.string()),
});
export type RecoverableSession = z.infer<typeof RecoverableSession>;

export const RecentSession = z.object({
  sessionPath: z.string(),
  sessionId: z.string(),
  name: z.string(),
  savedAt: z.string(),
  seriesDescription: z.string(),
  readers: z.array(z.string()),
});
export type RecentSession = z.infer<typeof RecentSession>;

export const ExportKind = z.enum(['seg', 'pdf', 'csv']);
export type ExportKind = z.infer<typeof ExportKind>;

export const ExportResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('written'), path: z.string(), bytes: z.number().int() }),
  z.object({ status: z.literal('cancelled') }),
]);
export type ExportResult = z.infer<typeof ExportResult>;

export const AuditView = z.object({
  entries: z.array(AuditEntry),
  /** True when every line parses and each hash links to the previous one. */
  chainValid: z.boolean(),
  problems: z.array(z.string()),
});
export type AuditView = z.infer<typeof AuditView>;
