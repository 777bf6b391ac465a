/**
 * Pure views of an analysis result for the panel: per-slice manifestation probabilities in
 * the viewer's slice order, masks aligned to the series on screen, per-stream extents, and
 * the agreement (Dice) between the all-class model and the specialized streams.
 */
import { ALL_CLASS_LABELS, MANIFESTATIONS, type ManifestationName, type StreamName } from '../../../common/analysis/constants';
import type { ManifestationExtent, ManifestationProbabilities, SeriesAnalysis, SeriesMasks } from '../../../common/analysis/report';

// Shared with the PDF report (main process): one wording for volumes and the anatomical gate.
export { formatMl, gateNote } from '../../../common/analysis/gate-note';

/**
 * Stage-2 probabilities per slice of the series on screen (index = viewer slice, i.e. the
 * position in `seriesInstanceIds`), null where the engine has no value for that instance.
 * The report's instances are keyed by SOPInstanceUID; `viewerInstanceIds` maps them.
 */
export function perSliceManifestations(analysis: Pick<SeriesAnalysis, 'result' | 'viewerInstanceIds'>, seriesInstanceIds: readonly string[]): (ManifestationProbabilities | null)[] {
  const sliceOf = new Map(seriesInstanceIds.map((id, index) => [id, index]));
  const values: (ManifestationProbabilities | null)[] = seriesInstanceIds.map(() => null);
  for (const instance of analysis.result.instances) {
    if (!instance.manifestations) continue;
    const viewerId = analysis.viewerInstanceIds[instance.id] ?? instance.id;
    const slice = sliceOf.get(viewerId);
    if (slice !== undefined) values[slice] = instance.manifestations;
  }
  return values;
}

/**
 * A stream's label volume in the order of the series on screen: slices are matched by
 * viewer instance id, so a mask can never land on a neighbouring slice even when the
 * engine skipped or reordered instances. Instances without a mask slice stay 0.
 */
export function alignMasksToSeries(masks: Pick<SeriesMasks, 'rows' | 'columns' | 'labels' | 'instanceIds'>, seriesInstanceIds: readonly string[]): Uint8Array {
  const sliceSize = masks.rows * masks.columns;
  const aligned = new Uint8Array(sliceSize * seriesInstanceIds.length);
  const maskSliceOf = new Map(masks.instanceIds.map((id, index) => [id, index]));
  seriesInstanceIds.forEach((id, slice) => {
    const source = maskSliceOf.get(id);
    if (source === undefined) return;
    aligned.set(masks.labels.subarray(source * sliceSize, (source + 1) * sliceSize), slice * sliceSize);
  });
  return aligned;
}

export interface StreamExtent {
  stream: StreamName;
  manifestation: ManifestationName;
  volumeMl: number | null;
  sliceCount: number;
}

/** Volume and slice count per stream and manifestation, in panel order (specialized first, then all-class). */
export function streamExtents(analysis: Pick<SeriesAnalysis, 'result'>): StreamExtent[] {
  const rows: StreamExtent[] = [];
  for (const summary of analysis.result.streams) {
    for (const manifestation of MANIFESTATIONS) {
      const extent: ManifestationExtent | undefined = summary.manifestations[manifestation];
      if (extent) rows.push({ stream: summary.stream, manifestation, volumeMl: extent.volumeMl, sliceCount: extent.sliceCount });
    }
  }
  const order = (row: StreamExtent) => (row.stream === 'all' ? 10 : 0) + MANIFESTATIONS.indexOf(row.manifestation);
  return rows.sort((a, b) => order(a) - order(b));
}

export interface ClassAgreement {
  manifestation: ManifestationName;
  /** Dice = 2|A∩B| / (|A|+|B|); null when both masks are empty (nothing to compare). */
  dice: number | null;
  specializedPixels: number;
  allClassPixels: number;
}

/**
 * Per-class agreement between each specialized stream (binary 0/1) and the all-class
 * model's label of the same class. All volumes are in the same (series) order.
 */
export function diceByClass(specialized: Partial<Record<ManifestationName, Uint8Array>>, allClass: Uint8Array): ClassAgreement[] {
  const agreements: ClassAgreement[] = [];
  for (const manifestation of MANIFESTATIONS) {
    const binary = specialized[manifestation];
    if (!binary) continue;
    const label = ALL_CLASS_LABELS[manifestation];
    let both = 0;
    let inSpecialized = 0;
    let inAll = 0;
    const length = Math.min(binary.length, allClass.length);
    for (let i = 0; i < length; i++) {
      const a = binary[i] !== 0;
      const b = allClass[i] === label;
      if (a) inSpecialized++;
      if (b) inAll++;
      if (a && b) both++;
    }
    const denominator = inSpecialized + inAll;
    agreements.push({ manifestation, dice: denominator === 0 ? null : (2 * both) / denominator, specializedPixels: inSpecialized, allClassPixels: inAll });
  }
  return agreements;
}

/** "73 %" style, for probabilities 0..1. */
export function percent(value: number): string {
  return `${Math.round(value * 100)} %`;
}

/** "about 12 s left" style ETA. */
export function formatEta(etaMs: number | null): string {
  if (etaMs === null) return 'estimating…';
  const seconds = Math.max(0, Math.round(etaMs / 1000));
  if (seconds < 60) return `~${seconds} s left`;
  const minutes = Math.floor(seconds / 60);
  return `~${minutes} min ${String(seconds % 60).padStart(2, '0')} s left`;
}
