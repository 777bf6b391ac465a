/**
 * Channels of the review-sessions feature (issue 5). Owned by the sessions feature;
 * joined in contract.ts. The format on disk is in docs/session-format.md; the flow:
 *
 *  create / open (-> needs-study-folder -> locate-study) -> get + get-mask per layer
 *  -> set-opinion / set-findings / save-mask (in memory, `dirty`) -> autosave (timer)
 *  -> save -> sign (saves, freezes the layer) -> export.
 *  On start: list-recoverable -> recover or discard-autosave.
 *
 * Every session call names the session by `sessionId` (from create / open); mutating
 * calls name the reader layer (`reader-<n>`); the AI layer (`ai`) is read-only.
 */
import { z } from 'zod';
import { Manifestation, StreamId } from '../analysis/report';
import { LayerId, Opinion, ReaderLayerId } from '../sessions/session-file';
import { AuditView, ExportKind, ExportResult, MaskVolume, OpenResult, RecentSession, RecoverableSession, SessionView } from '../sessions/views';
import { invoke } from './define';

const SessionRef = z.object({ sessionId: z.string().min(1) });
const ReaderName = z.string().trim().min(1, 'Enter the reader name.').max(64);

/** An edited label volume: all slices, or `startSlice` onward (only the slices sent are replaced). */
export const MaskEdit = z.object({
  layerId: ReaderLayerId,
  stream: StreamId,
  labels: z.instanceof(Uint8Array),
  startSlice: z.number().int().nonnegative().optional(),
});
export type MaskEdit = z.infer<typeof MaskEdit>;

export const sessionsInvokes = {
  /** New session on an open, analysed (or not) series; the first reader layer is created for `readerName`. */
  'sessions:create': invoke(
    z.object({
      studyInstanceUid: z.string().min(1),
      seriesId: z.string().min(1),
      readerName: ReaderName,
      /** Folder to create `<name>.pleura` in; omitted: userData/sessions; null: ask with a save dialog. */
      location: z.string().min(1).nullable().optional(),
      name: z.string().trim().min(1).max(80).optional(),
    }),
    SessionView,
  ),
  /** Open a `.pleura` folder (omitted path: ask with a folder dialog). */
  'sessions:open': invoke(z.object({ path: z.string().min(1).optional() }), OpenResult),
  /** Point an opened session at the folder holding its study (omitted: ask); matched by UIDs. */
  'sessions:locate-study': invoke(z.object({ sessionPath: z.string().min(1), folder: z.string().min(1).optional() }), OpenResult),
  'sessions:get': invoke(SessionRef, SessionView),
  'sessions:list-recent': invoke(z.object({}).optional(), z.object({ sessions: z.array(RecentSession) })),
  /** Attach the series' latest AI analysis to a session started without one (once; the AI layer never changes after). */
  'sessions:attach-analysis': invoke(SessionRef, SessionView),
  /** A further reader joins (a new, empty layer; earlier layers stay visible and unchanged). */
  'sessions:add-reader': invoke(SessionRef.extend({ readerName: ReaderName }), z.object({ layerId: ReaderLayerId, session: SessionView })),
  'sessions:set-opinion': invoke(
    SessionRef.extend({ layerId: ReaderLayerId, manifestation: Manifestation, opinion: Opinion.nullable() }),
    SessionView,
  ),
  'sessions:set-findings': invoke(
    SessionRef.extend({ layerId: ReaderLayerId, findings: z.string().max(20000).optional(), impression: z.string().max(20000).optional() }),
    SessionView,
  ),
  /** Store a reader's edited mask of one stream (in memory until save / autosave). */
  'sessions:save-mask': invoke(
    SessionRef.extend(MaskEdit.shape),
    z.object({ layerId: ReaderLayerId, stream: StreamId, pixelCount: z.number().int(), dirty: z.boolean() }),
  ),
  /** A layer's label volume for one stream (`ai` or a reader layer). */
  'sessions:get-mask': invoke(SessionRef.extend({ layerId: LayerId, stream: StreamId }), MaskVolume),
  /** Sign a reader layer: saves the session and freezes that layer. `readerName` must match the layer's. */
  'sessions:sign': invoke(SessionRef.extend({ layerId: ReaderLayerId, readerName: ReaderName }), SessionView),
  'sessions:save': invoke(SessionRef, SessionView),
  /** Protect unsaved work (optionally with the latest mask edits) in autosave.json. */
  'sessions:autosave': invoke(
    SessionRef.extend({ masks: z.array(MaskEdit).optional() }),
    z.object({ autosavedAt: z.string().nullable(), dirty: z.boolean() }),
  ),
  /** Sessions whose autosave is newer than their last save (offer these on start). */
  'sessions:list-recoverable': invoke(z.object({}).optional(), z.object({ sessions: z.array(RecoverableSession) })),
  /** Open a session with its autosaved edits applied (unsaved until sessions:save). */
  'sessions:recover': invoke(z.object({ sessionPath: z.string().min(1) }), OpenResult),
  'sessions:discard-autosave': invoke(z.object({ sessionPath: z.string().min(1) }), z.object({ discarded: z.boolean() })),
  /** Close an open session (unsaved edits are autosaved first, never dropped). */
  'sessions:close': invoke(SessionRef, z.object({ closed: z.boolean(), autosaved: z.boolean() })),
  /**
   * Export: `seg` (one layer's masks as DICOM SEG; layerId defaults to `ai`), `pdf` (the
   * review report) or `csv` (per-slice probabilities). `anonymise` strips patient
   * identifiers. Omitted path: ask with a save dialog. Never into the study's folder.
   */
  'sessions:export': invoke(
    SessionRef.extend({ kind: ExportKind, layerId: LayerId.optional(), anonymise: z.boolean(), path: z.string().min(1).optional() }),
    ExportResult,
  ),
  'sessions:get-audit': invoke(SessionRef, AuditView),
};

export const sessionsEvents = {
  /** Any change to an open session (another panel or window may need to refresh). */
  'sessions:changed': z.object({ sessionId: z.string(), revision: z.number().int(), dirty: z.boolean() }),
};
