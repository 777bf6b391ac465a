import type { StreamId } from '../../../common/analysis/report';
import type { MaskStat, ReaderLayer, SessionFile } from '../../../common/sessions';
import type { AuditLog } from './audit-log';
import { maskStatsOf, type LayerMasks } from './layer-masks';
import type { StudyMatch } from './study-ref';

/** A session open in this process: the committed file plus the working state. */
export interface OpenSession {
  dir: string;
  /** The last committed session.json. */
  file: SessionFile;
  /** Reader layers as edited (opinions, text, signature); written on save. */
  readers: ReaderLayer[];
  /** Decoded masks per layer ('ai' or reader id); loaded on first use. */
  masks: Map<string, LayerMasks>;
  /** Streams edited since the last save, per reader layer. */
  dirtyStreams: Map<string, Set<StreamId>>;
  /** Mask stats of layers with unsaved mask edits (whole-volume counts are not free). */
  statsCache: Map<string, MaskStat[]>;
  dirty: boolean;
  located: StudyMatch | null;
  studyFolder: string;
  audit: AuditLog;
  /** Serialises this session's operations so a save never interleaves with an edit. */
  queue: Promise<unknown>;
}

export function dirtyOf(session: OpenSession, layerId: string): Set<StreamId> {
  let streams = session.dirtyStreams.get(layerId);
  if (!streams) {
    streams = new Set();
    session.dirtyStreams.set(layerId, streams);
  }
  return streams;
}

export function layerStats(session: OpenSession, layerId: string): MaskStat[] {
  if (layerId === 'ai') return session.file.ai?.masks?.stats ?? [];
  const dirty = session.dirtyStreams.get(layerId);
  const loaded = session.masks.get(layerId);
  if (dirty && dirty.size > 0 && loaded) {
    const cached = session.statsCache.get(layerId);
    if (cached) return cached;
    const stats = maskStatsOf(session.file.study, loaded);
    session.statsCache.set(layerId, stats);
    return stats;
  }
  const reader = session.readers.find((item) => item.layerId === layerId);
  return reader?.masks?.stats ?? [];
}
