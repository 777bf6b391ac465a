/**
 * Names and colours the review panel shows. Repeated from src/common on purpose: importing
 * values from there pulls zod into the renderer bundle, which the CSP forbids (see lib/api.ts).
 */
import type { Manifestation, StreamId } from '../../../common/analysis/report';
import type { Opinion } from '../../../common/sessions/session-file';

export const MANIFESTATION_IDS: readonly Manifestation[] = ['ggo', 'consolidation', 'effusion'];
export const STREAM_IDS: readonly StreamId[] = ['ggo', 'consolidation', 'effusion', 'all'];
export const OPINIONS: readonly Opinion[] = ['agree', 'disagree', 'uncertain'];

export const MANIFESTATION_NAMES: Record<Manifestation, string> = {
  ggo: 'Ground-glass opacity',
  consolidation: 'Consolidation',
  effusion: 'Pleural effusion',
};

export const STREAM_NAMES: Record<StreamId, string> = {
  ggo: 'GGO',
  consolidation: 'Consolidation',
  effusion: 'Effusion',
  all: 'All classes',
};

export const OPINION_NAMES: Record<Opinion, string> = { agree: 'Agree', disagree: 'Disagree', uncertain: 'Uncertain' };

/** Label value of each manifestation in the `all` stream (ALL_CLASS_LABELS). */
export const ALL_STREAM_LABEL: Record<Manifestation, number> = { ggo: 1, consolidation: 2, effusion: 3 };

export type Rgb = [number, number, number];

/** The AI layer uses the AI panel's hues (features/analysis/colors.ts): GGO yellow, consolidation red, effusion green. */
export const MANIFESTATION_COLORS: Record<Manifestation, Rgb> = {
  ggo: [255, 221, 0],
  consolidation: [235, 40, 40],
  effusion: [40, 200, 70],
};

/** One colour per reader layer (reader-1, reader-2, ...), apart from the AI's hues, so layers are told apart. */
export const READER_COLORS: readonly Rgb[] = [
  [0, 200, 255],
  [230, 80, 255],
  [255, 140, 30],
  [120, 255, 200],
];

export function readerColor(layerId: string): Rgb {
  const n = Number(/^reader-(\d+)$/.exec(layerId)?.[1] ?? '1');
  return READER_COLORS[(n - 1) % READER_COLORS.length] ?? [255, 255, 255];
}

export const RESEARCH_NOTICE_SHORT = 'Research use only: an AI second opinion, not a diagnosis.';

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/** DICOM DA (YYYYMMDD) as YYYY-MM-DD; anything else unchanged. */
export function formatDicomDate(value: string): string {
  return /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}` : value;
}
