/**
 * Wording shared by the AI panel and the PDF report: mask volumes, and what the anatomical
 * gate (docs/analyzer.md) did to the masks, so every place that shows AI masks says the same.
 */
import type { StreamName } from './constants';
import type { AnatomicalGateSummary } from './report';

/** Millilitres with sensible precision; "–" when unknown. */
export function formatMl(value: number | null): string {
  if (value === null) return '–';
  return value < 10 ? `${value.toFixed(1)} mL` : `${Math.round(value)} mL`;
}

const GATE_STREAM_NAMES: Record<StreamName, string> = { ggo: 'GGO', consolidation: 'consolidation', effusion: 'effusion', all: 'all-class' };

/**
 * One line telling the reader whether the masks were limited to anatomy (docs/analyzer.md,
 * "Anatomical gate") and how much was cut: a reader must know that what is drawn is not
 * the raw model output. Null when no segmentation ran (no gate record).
 */
export function gateNote(gate: AnatomicalGateSummary | undefined): string | null {
  if (!gate) return null;
  if (!gate.applied) return `Masks are the raw model output: anatomical gate not applied (${gate.reason ?? 'switched off'}).`;
  const removed = (Object.entries(gate.removed) as [StreamName, { pixelCount: number; volumeMl: number | null }][])
    .filter(([, cut]) => cut.pixelCount > 0)
    .map(([stream, cut]) => `${GATE_STREAM_NAMES[stream]} ${cut.volumeMl === null ? `${cut.pixelCount} px` : formatMl(cut.volumeMl)}`);
  const lungless = gate.slicesGated - gate.slicesWithLung;
  return (
    'Masks limited to the lungs (GGO, consolidation) and the pleural space (effusion). ' +
    (removed.length ? `Removed outside them: ${removed.join(', ')}.` : 'Nothing was removed.') +
    (lungless > 0 ? ` ${lungless} of ${gate.slicesGated} slices have no lung.` : '')
  );
}
