import type { StreamId } from '../../../../common/analysis/report';
import type { IngestedSeries } from '../../ingest';
import { seriesGrid } from '../../../../common/dicom/study-tree';
import { readSegSourceHeader } from './source-header';
import { streamSegments } from './streams';
import type { SegSource } from './types';
import { buildSegmentation } from './write-seg';

/** The SEG geometry and patient/study attributes of an ingested series (reads one file header). */
export async function segSourceFromSeries(series: IngestedSeries): Promise<SegSource> {
  const first = series.instances[0];
  if (!first) throw new Error('The series has no images.');
  const header = await readSegSourceHeader(first.filePath);
  return {
    ...header,
    studyInstanceUid: series.studyInstanceUid,
    seriesInstanceUid: series.seriesInstanceUid,
    ...seriesGrid(series),
    images: series.instances.map((instance) => ({
      sopClassUid: instance.sopClassUid,
      sopInstanceUid: instance.sopInstanceUid,
      frame: instance.frame,
      imagePositionPatient: instance.imagePositionPatient,
    })),
  };
}

/**
 * The analyzer's `seg.dcm`: the AI masks of a DICOM series as one binary SEG (one
 * segment per stream and manifestation). `volumes` are slice-major in the series'
 * instance order, as the engine produces them.
 */
export async function buildAnalysisSeg(
  series: IngestedSeries,
  volumes: ReadonlyArray<{ stream: StreamId; labels: Uint8Array }>,
  options: { appVersion: string; modelOfStream?: Partial<Record<StreamId, { id: string; version: string }>> },
): Promise<Uint8Array> {
  const source = await segSourceFromSeries(series);
  const { inputs } = streamSegments(new Map(volumes.map((volume) => [volume.stream, volume.labels])), {
    kind: 'ai',
    appVersion: options.appVersion,
    ...(options.modelOfStream ? { modelOfStream: options.modelOfStream } : {}),
  });
  if (inputs.length === 0) throw new Error('There are no masks to write.');
  return buildSegmentation(source, inputs, {
    seriesDescription: 'Pleura AI segmentation',
    seriesNumber: 9000,
    contentLabel: 'PLEURA_AI',
    contentDescription: 'Pleura AI segmentation (research use only)',
    manufacturer: 'Pleura',
    manufacturerModelName: 'Pleura',
    softwareVersions: options.appVersion,
  });
}
