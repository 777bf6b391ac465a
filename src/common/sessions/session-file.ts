/**
 * The review-session folder format (`<name>.pleura/`), documented in
 * docs/session-format.md. session.json is the commit point: it names every mask file
 * (DICOM SEG) with its SHA-256, so a reader can tell a complete session from a torn one.
 * Additive, optional fields keep schemaVersion; anything else bumps it.
 */
import { z } from 'zod';
import { Manifestation, ModelRef, SeriesResult, StreamId } from '../analysis/report';

export const SESSION_SCHEMA_VERSION = 1;
export const SESSION_FORMAT = 'pleura-session';
export const AUTOSAVE_FORMAT = 'pleura-autosave';
export const SESSION_FOLDER_SUFFIX = '.pleura';
export const SESSION_FILE_NAME = 'session.json';
export const AUTOSAVE_FILE_NAME = 'autosave.json';
export const AUDIT_FILE_NAME = 'audit.jsonl';

export const Opinion = z.enum(['agree', 'disagree', 'uncertain']);
export type Opinion = z.infer<typeof Opinion>;

/** A reader's verdict on each AI manifestation; null until they decide. */
export const Opinions = z.object({ ggo: Opinion.nullable(), consolidation: Opinion.nullable(), effusion: Opinion.nullable() });
export type Opinions = z.infer<typeof Opinions>;

/** `ai` is the analysis output (read-only); `reader-<n>` one reader's layer. */
export const LayerId = z.string().regex(/^(ai|reader-[1-9][0-9]*)$/, 'A layer is "ai" or "reader-<n>".');
export type LayerId = z.infer<typeof LayerId>;
export const ReaderLayerId = z.string().regex(/^reader-[1-9][0-9]*$/, 'A reader layer is "reader-<n>".');

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
export const Vector3 = z.tuple([z.number(), z.number(), z.number()]);

/** How one SEG segment maps back to a stream's label volume. */
export const SegmentMapping = z.object({
  segmentNumber: z.number().int().positive(),
  stream: StreamId,
  /** The label value the segment's pixels take in that stream (1 for binary streams). */
  labelValue: z.number().int().min(1).max(255),
  manifestation: Manifestation,
});
export type SegmentMapping = z.infer<typeof SegmentMapping>;

/** Mask extent of one manifestation in one stream of a layer. */
export const MaskStat = z.object({
  stream: StreamId,
  manifestation: Manifestation,
  pixelCount: z.number().int().nonnegative(),
  sliceCount: z.number().int().nonnegative(),
  /** Millilitres from pixel spacing x slice spacing; null when the spacing is unknown. */
  volumeMl: z.number().nullable(),
});
export type MaskStat = z.infer<typeof MaskStat>;

/** A layer's masks: one DICOM SEG in the session folder. */
export const MaskFileRef = z.object({
  file: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.seg\.dcm$/, 'A mask file is a plain name ending in .seg.dcm.'),
  sha256: Sha256,
  /** Streams stored in this file (a stream edited to empty is still listed). */
  streams: z.array(StreamId),
  segments: z.array(SegmentMapping),
  /** Extents at save time, so a session lists volumes without decoding every mask. */
  stats: z.array(MaskStat),
});
export type MaskFileRef = z.infer<typeof MaskFileRef>;

export const StudyInstanceRef = z.object({
  sopInstanceUid: z.string().min(1),
  sopClassUid: z.string().min(1),
  /** 0-based frame for multi-frame sources; null for single-frame files. */
  frame: z.number().int().nonnegative().nullable(),
  imagePositionPatient: Vector3.nullable(),
});
export type StudyInstanceRef = z.infer<typeof StudyInstanceRef>;

export const PatientRef = z.object({ name: z.string(), id: z.string(), birthDate: z.string(), sex: z.string() });
export type PatientRef = z.infer<typeof PatientRef>;

/**
 * The study by its UIDs (never by path alone), plus the geometry the SEG writer needs,
 * so masks can be saved and exported even before the study has been located.
 */
export const StudyRef = z.object({
  studyInstanceUid: z.string().min(1),
  seriesInstanceUid: z.string().min(1),
  modality: z.string(),
  seriesDescription: z.string(),
  seriesNumber: z.number().nullable(),
  patient: PatientRef,
  studyDate: z.string(),
  studyTime: z.string(),
  studyId: z.string(),
  studyDescription: z.string(),
  accessionNumber: z.string(),
  referringPhysicianName: z.string(),
  frameOfReferenceUid: z.string().nullable(),
  rows: z.number().int().positive(),
  columns: z.number().int().positive(),
  pixelSpacing: z.tuple([z.number(), z.number()]).nullable(),
  sliceThickness: z.number().nullable(),
  spacingBetweenSlices: z.number().nullable(),
  imageOrientationPatient: z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()]).nullable(),
  /** In series order (first to last slice); mask volumes are slice-major in this order. */
  instances: z.array(StudyInstanceRef).min(1),
  /** Folder where the study's files were last found; a hint only, matching is by UID. */
  lastKnownFolder: z.string(),
});
export type StudyRef = z.infer<typeof StudyRef>;

export const AiAnalysisRecord = z.object({
  createdAt: z.string(),
  appVersion: z.string(),
  models: z.array(ModelRef),
  executionProvider: z.string().nullable(),
  series: SeriesResult,
});
export type AiAnalysisRecord = z.infer<typeof AiAnalysisRecord>;

export const AiLayer = z.object({
  analysis: AiAnalysisRecord,
  masks: MaskFileRef.nullable(),
});
export type AiLayer = z.infer<typeof AiLayer>;

export const ReaderLayer = z.object({
  layerId: ReaderLayerId,
  readerName: z.string().min(1),
  createdAt: z.string(),
  updatedAt: z.string(),
  opinions: Opinions,
  findings: z.string(),
  impression: z.string(),
  /** Set when the reader signs; a signed layer never changes again. */
  signedAt: z.string().nullable(),
  masks: MaskFileRef.nullable(),
});
export type ReaderLayer = z.infer<typeof ReaderLayer>;

export const SessionFile = z.object({
  format: z.literal(SESSION_FORMAT),
  schemaVersion: z.literal(SESSION_SCHEMA_VERSION),
  sessionId: z.uuid(),
  name: z.string(),
  /** Increases by one on every save. */
  revision: z.number().int().positive(),
  createdAt: z.string(),
  savedAt: z.string(),
  app: z.object({ name: z.string(), version: z.string() }),
  study: StudyRef,
  ai: AiLayer.nullable(),
  readers: z.array(ReaderLayer),
});
export type SessionFile = z.infer<typeof SessionFile>;

/** One edited stream in an autosave: zlib-deflated label volume, base64. */
export const AutosavedMask = z.object({
  layerId: ReaderLayerId,
  stream: StreamId,
  byteLength: z.number().int().nonnegative(),
  deflatedBase64: z.string(),
  sha256: Sha256,
});
export type AutosavedMask = z.infer<typeof AutosavedMask>;

/** Unsaved work: the reader layers as edited, plus masks changed since the last save. */
export const AutosaveFile = z.object({
  format: z.literal(AUTOSAVE_FORMAT),
  schemaVersion: z.literal(SESSION_SCHEMA_VERSION),
  sessionId: z.uuid(),
  /** The session.json revision the edits apply to. */
  baseRevision: z.number().int().positive(),
  autosavedAt: z.string(),
  /** Where the study was found in the autosaving app, when it differs from session.json's hint. */
  studyFolder: z.string().optional(),
  readers: z.array(ReaderLayer),
  masks: z.array(AutosavedMask),
});
export type AutosaveFile = z.infer<typeof AutosaveFile>;

export const AuditAction = z.enum([
  'session-created',
  'session-opened',
  'study-located',
  'reader-added',
  'analysis-attached',
  'opinion-set',
  'findings-set',
  'mask-edited',
  'layer-signed',
  'session-saved',
  'autosave-recovered',
  'autosave-discarded',
  'exported',
]);
export type AuditAction = z.infer<typeof AuditAction>;

/** One audit line. `hash` = SHA-256 of the line's canonical JSON without `hash`, which includes `prevHash`. */
export const AuditEntry = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  actor: z.string(),
  action: AuditAction,
  layerId: LayerId.nullable(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  prevHash: z.string(),
  hash: Sha256,
});
export type AuditEntry = z.infer<typeof AuditEntry>;
