import {
  MANIFESTATIONS,
  type InstanceResult,
  type Manifestation,
  type ManifestationProbabilities,
  type Recognition,
  type SeriesRecognition,
  type SeriesResult,
  type StreamId,
  type StreamSummary,
} from '../../../../common/analysis/report';
import type { SeriesInput, StreamMasks } from '../types';
import { extentOf } from './extent';

export interface CollectedResults {
  series: SeriesInput;
  /** Series indices of the instances to report, in series order. */
  resultIndices: number[];
  sizes: Map<number, { rows: number; columns: number }>;
  recognitionBySlice: Map<number, Recognition>;
  recognition: SeriesRecognition | null;
  manifestationsBySlice: Map<number, ManifestationProbabilities>;
  /** Per stream, the label volume parts of each batch, in order. */
  maskParts: Map<StreamId, Uint8Array[]>;
  /** Series indices the mask volumes cover, in order. */
  maskIndices: number[];
  streamModels: Array<{ stream: StreamId; modelId: string }>;
  grid: { rows: number; columns: number } | null;
}

function summarise(values: ManifestationProbabilities[]): SeriesResult['manifestations'] {
  if (values.length === 0) return null;
  const max = {} as ManifestationProbabilities;
  const mean = {} as ManifestationProbabilities;
  for (const m of MANIFESTATIONS) {
    max[m] = values.reduce((best, v) => Math.max(best, v[m]), -Infinity);
    mean[m] = values.reduce((sum, v) => sum + v[m], 0) / values.length;
  }
  return { max, mean };
}

/** Turns the per-slice results and mask parts into the report's SeriesResult and the label volumes. */
export function assemble(collected: CollectedResults): { result: SeriesResult; masks: StreamMasks[] } {
  const { series, grid, maskIndices } = collected;
  const { rows, columns } = grid ?? { rows: 0, columns: 0 };
  const instances: InstanceResult[] = collected.resultIndices.map((index) => {
    const slice = series.slices[index]!;
    const size = collected.sizes.get(index) ?? { rows, columns };
    const instance: InstanceResult = { id: slice.id, path: slice.path, sliceIndex: index, rows: size.rows, columns: size.columns };
    if (slice.frame !== undefined) instance.frame = slice.frame;
    const recognition = collected.recognitionBySlice.get(index);
    if (recognition) instance.recognition = recognition;
    const manifestations = collected.manifestationsBySlice.get(index);
    if (manifestations) instance.manifestations = manifestations;
    return instance;
  });

  const pixelsPerSlice = rows * columns;
  const masks: StreamMasks[] = [];
  const streams: StreamSummary[] = [];
  const instanceIds = maskIndices.map((i) => series.slices[i]!.id);
  for (const { stream, modelId } of collected.streamModels) {
    const parts = collected.maskParts.get(stream);
    if (!parts) continue;
    const labels = new Uint8Array(maskIndices.length * pixelsPerSlice);
    let offset = 0;
    for (const part of parts) {
      labels.set(part, offset);
      offset += part.length;
    }
    masks.push({ stream, rows, columns, labels, instanceIds });
    const extents: StreamSummary['manifestations'] = {};
    const measured: Manifestation[] = stream === 'all' ? [...MANIFESTATIONS] : [stream];
    for (const manifestation of measured) {
      const label = stream === 'all' ? MANIFESTATIONS.indexOf(manifestation) + 1 : 1;
      extents[manifestation] = extentOf(labels, maskIndices.length, pixelsPerSlice, label, series.spacingMm);
    }
    streams.push({ stream, modelId, manifestations: extents });
  }

  return {
    result: {
      seriesInstanceUid: series.seriesInstanceUid,
      studyInstanceUid: series.studyInstanceUid,
      modality: series.modality,
      kind: series.kind,
      description: series.description,
      spacingMm: series.spacingMm,
      instances,
      recognition: collected.recognition,
      manifestations: summarise([...collected.manifestationsBySlice.values()]),
      streams,
    },
    masks,
  };
}
