import { MANIFESTATION_LABELS, STREAMS, type Manifestation, type StreamId } from '../../../../common/analysis/report';
import { FINDING_CODES, FINDING_COLOURS_RGB, MORPHOLOGICALLY_ABNORMAL_STRUCTURE } from './codes';
import type { SegAlgorithm, SegSegmentInput } from './types';

/** Label values of the all-class stream, and the single label of each binary stream. */
export function labelsOfStream(stream: StreamId): Array<{ labelValue: number; manifestation: Manifestation }> {
  if (stream === 'all') {
    return [
      { labelValue: 1, manifestation: 'ggo' },
      { labelValue: 2, manifestation: 'consolidation' },
      { labelValue: 3, manifestation: 'effusion' },
    ];
  }
  return [{ labelValue: 1, manifestation: stream }];
}

export interface StreamSegmentMapping {
  segmentNumber: number;
  stream: StreamId;
  labelValue: number;
  manifestation: Manifestation;
}

export interface StreamSegmentOptions {
  /** AI output (AUTOMATIC, with the model) or a reader's edit (MANUAL). */
  kind: 'ai' | 'reader';
  /** Model id and version per stream, for the AI's SegmentAlgorithmName / identification. */
  modelOfStream?: Partial<Record<StreamId, { id: string; version: string }>>;
  appVersion: string;
}

/**
 * One SEG segment per (stream, label value): a binary stream gives one segment, the
 * all-class stream three. The mapping tells a reader how to rebuild the label volumes.
 */
export function streamSegments(
  volumes: ReadonlyMap<StreamId, Uint8Array>,
  options: StreamSegmentOptions,
): { inputs: SegSegmentInput[]; mapping: StreamSegmentMapping[]; streams: StreamId[] } {
  const streams = STREAMS.filter((stream) => volumes.has(stream));
  const inputs: SegSegmentInput[] = [];
  const mapping: StreamSegmentMapping[] = [];
  for (const stream of streams) {
    const labels = volumes.get(stream)!;
    for (const { labelValue, manifestation } of labelsOfStream(stream)) {
      const mask = new Uint8Array(labels.length);
      for (let i = 0; i < labels.length; i++) if (labels[i] === labelValue) mask[i] = 1;
      const model = options.modelOfStream?.[stream];
      const algorithm: SegAlgorithm =
        options.kind === 'ai'
          ? { type: 'AUTOMATIC', name: model?.id ?? `pleura-seg-${stream}`, version: model?.version ?? options.appVersion }
          : { type: 'MANUAL' };
      const streamName = stream === 'all' ? 'all-class model' : `${stream} model`;
      inputs.push({
        label: `${MANIFESTATION_LABELS[manifestation]} (${streamName})`,
        description: `pleura stream=${stream} label=${labelValue}`,
        category: MORPHOLOGICALLY_ABNORMAL_STRUCTURE,
        type: FINDING_CODES[manifestation],
        algorithm,
        colourRgb: FINDING_COLOURS_RGB[manifestation],
        mask,
      });
      mapping.push({ segmentNumber: inputs.length, stream, labelValue, manifestation });
    }
  }
  return { inputs, mapping, streams };
}
