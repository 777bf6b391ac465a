/**
 * The analyzer's seg.dcm: the engine's label volumes as a DICOM Segmentation, written
 * with the shared SEG writer of the export service (src/main/services/export/seg).
 */
import { writeFile } from 'node:fs/promises';
import { MANIFESTATION_LABELS, MANIFESTATIONS, type Manifestation } from '../../../../common/analysis/report';
import {
  buildSegmentation,
  FINDING_CODES,
  FINDING_COLOURS_RGB,
  MORPHOLOGICALLY_ABNORMAL_STRUCTURE,
  readSegSourceHeader,
  type SegSegmentInput,
  type SegSource,
} from '../../export/seg';
import type { IngestedSeries, IngestedStudy } from '../../ingest';
import { instanceKey } from '../series-input';
import type { EngineModelInfo, SeriesOutcome, StreamMasks } from '../types';

export interface SegmentationInput {
  series: IngestedSeries;
  study: IngestedStudy;
  outcome: SeriesOutcome;
  models: EngineModelInfo[];
}

const STREAM_MODEL: Record<Manifestation, string> = { ggo: 'seg-ggo', consolidation: 'seg-consolidation', effusion: 'seg-effusion' };

/**
 * One segment per manifestation: from its specialized stream when that stream ran (the
 * paper's specialized models), else from the all-class stream's label.
 */
function segmentsOf(outcome: SeriesOutcome, models: EngineModelInfo[]): { segments: SegSegmentInput[]; masks: StreamMasks } | null {
  const byStream = new Map(outcome.masks.map((m) => [m.stream, m]));
  const reference = outcome.masks[0];
  if (!reference) return null;
  const version = (id: string) => models.find((m) => m.id === id)?.version ?? 'unknown';
  const segments: SegSegmentInput[] = [];
  for (const manifestation of MANIFESTATIONS) {
    const specialized = byStream.get(manifestation);
    const all = byStream.get('all');
    const source = specialized ?? all;
    if (!source) continue;
    const label = specialized ? 1 : MANIFESTATIONS.indexOf(manifestation) + 1;
    const mask = specialized ? source.labels : Uint8Array.from(source.labels, (v) => (v === label ? 1 : 0));
    const modelId = specialized ? STREAM_MODEL[manifestation] : 'seg-all';
    segments.push({
      label: MANIFESTATION_LABELS[manifestation],
      description: `Pleura ${modelId} model`,
      category: MORPHOLOGICALLY_ABNORMAL_STRUCTURE,
      type: FINDING_CODES[manifestation],
      algorithm: { type: 'AUTOMATIC', name: `Pleura ${modelId}`, version: version(modelId) },
      colourRgb: FINDING_COLOURS_RGB[manifestation],
      mask,
    });
  }
  return segments.length > 0 ? { segments, masks: reference } : null;
}

export async function writeSegmentation(path: string, input: SegmentationInput): Promise<void> {
  const planned = segmentsOf(input.outcome, input.models);
  if (!planned) throw new Error('No segmentation stream was run.');
  const { series, outcome } = input;
  // The masks cover the analysed instances only (broken files are left out).
  const byKey = new Map(series.instances.map((instance) => [instanceKey(instance.sopInstanceUid, instance.frame), instance]));
  const images = planned.masks.instanceIds.map((id) => {
    const instance = byKey.get(id);
    if (!instance) throw new Error(`Instance ${id} is not in the series.`);
    return instance;
  });
  const header = await readSegSourceHeader(images[0]!.filePath);
  const source: SegSource = {
    ...header,
    studyInstanceUid: series.studyInstanceUid,
    seriesInstanceUid: series.seriesInstanceUid,
    rows: planned.masks.rows,
    columns: planned.masks.columns,
    pixelSpacing: series.pixelSpacing,
    sliceThickness: series.sliceThickness,
    spacingBetweenSlices: series.spacingBetweenSlices,
    imageOrientationPatient: series.imageOrientationPatient,
    images: images.map((instance) => ({
      sopClassUid: instance.sopClassUid,
      sopInstanceUid: instance.sopInstanceUid,
      frame: instance.frame,
      imagePositionPatient: instance.imagePositionPatient,
    })),
  };
  const bytes = buildSegmentation(source, planned.segments, {
    seriesDescription: `Pleura AI segmentation (${outcome.masks.map((m) => m.stream).join(', ')})`,
    seriesNumber: 9901,
    contentLabel: 'PLEURA_AI',
    contentDescription: 'AI second opinion (research use only, not a diagnosis)',
    manufacturer: 'Pleura',
    manufacturerModelName: 'Pleura analyzer',
    softwareVersions: input.models.map((m) => `${m.id} ${m.version}`).join('; ').slice(0, 64),
  });
  await writeFile(path, bytes);
}
