/**
 * The review panel's state, as Svelte 5 runes. One instance, `review`; written only by
 * the review feature's actions (session.ts, autosave.ts, exports.ts, masks/).
 */
import type { AuditView, ExportKind, RecentSession, RecoverableSession, SessionView, StudyHint } from '../../../common/sessions/views';
import type { LayerId } from '../../../common/sessions/session-file';

/** The session's study could not be found on this workstation: ask for its folder. */
export interface LocateRequest {
  sessionPath: string;
  study: StudyHint;
  problem: string | null;
}

export interface ExportRecord {
  kind: ExportKind;
  layerId: LayerId | null;
  anonymise: boolean;
  path: string;
  bytes: number;
}

class ReviewState {
  /** The open session (null: none). */
  session = $state<SessionView | null>(null);
  /** The reader layer this workstation's reader edits; null while only viewing. */
  readerLayerId = $state<string | null>(null);
  locate = $state<LocateRequest | null>(null);
  /** Sessions with unsaved, autosaved work (offered on start). */
  recoverable = $state<RecoverableSession[]>([]);
  recent = $state<RecentSession[]>([]);
  /** What is in progress, in words; null when idle. */
  busy = $state<string | null>(null);
  error = $state<string | null>(null);
  autosavedAt = $state<string | null>(null);
  exports = $state<ExportRecord[]>([]);
  audit = $state<AuditView | null>(null);
  /** Layers the reader has hidden ('ai', 'reader-1', ...); every layer shows by default. */
  hiddenLayers = $state<Record<string, true>>({});

  readonly currentReader = $derived(this.session?.readers.find((reader) => reader.layerId === this.readerLayerId) ?? null);
  /** True when the current reader may still change their layer. */
  readonly canEdit = $derived(this.currentReader?.editable === true);
}

export const review = new ReviewState();

export function isLayerVisible(layerId: string): boolean {
  return review.hiddenLayers[layerId] !== true;
}
