import type { StreamId } from '../../../common/analysis/report';
import type { AiLayer, StudyRef } from '../../../common/sessions';
import { encodeLayerSeg, maskStatsOf, sha256Hex, voxelCount, type LayerMasks } from './layer-masks';
import type { AnalysisForSeries } from './ports';
import type { NewMaskFile } from './session-folder';
import { SessionError } from './session-error';

/** The engine's label volumes in the session's slice order (matched by instance id or SOPInstanceUID). */
export function aiMasksOf(analysis: AnalysisForSeries, instanceIds: readonly string[], ref: StudyRef): LayerMasks {
  const masks: LayerMasks = new Map();
  const pixelsPerSlice = ref.rows * ref.columns;
  const slotOf = new Map(instanceIds.map((id, index) => [id, index]));
  for (const volume of analysis.masks) {
    if (volume.rows !== ref.rows || volume.columns !== ref.columns) {
      throw new SessionError('mask-size', `The ${volume.stream} AI mask is ${volume.rows}x${volume.columns}; the series is ${ref.rows}x${ref.columns}.`);
    }
    const labels = new Uint8Array(voxelCount(ref));
    volume.instanceIds.forEach((id, index) => {
      // Engine ids may be instance ids or SOPInstanceUIDs (#frame); accept both.
      const slot = slotOf.get(id) ?? ref.instances.findIndex((instance) => `${instance.sopInstanceUid}${instance.frame !== null ? `#${instance.frame}` : ''}` === id);
      if (slot === undefined || slot < 0) return;
      labels.set(volume.labels.subarray(index * pixelsPerSlice, (index + 1) * pixelsPerSlice), slot * pixelsPerSlice);
    });
    masks.set(volume.stream, labels);
  }
  return masks;
}

/** The AI layer of a session from an analysis: the record for session.json and ai.seg.dcm. */
export function aiLayerOf(ref: StudyRef, analysis: AnalysisForSeries | null, instanceIds: readonly string[], appVersion: string): { ai: AiLayer | null; aiMasks: LayerMasks | null; newFiles: NewMaskFile[] } {
  if (!analysis) return { ai: null, aiMasks: null, newFiles: [] };
  const aiMasks = aiMasksOf(analysis, instanceIds, ref);
  const newFiles: NewMaskFile[] = [];
  let masksRef: AiLayer['masks'] = null;
  if (aiMasks.size > 0) {
    const modelOfStream: Partial<Record<StreamId, { id: string; version: string }>> = {};
    for (const summary of analysis.series.streams) {
      const model = analysis.models.find((item) => item.id === summary.modelId);
      modelOfStream[summary.stream] = { id: summary.modelId, version: model?.version ?? 'unknown' };
    }
    const encoded = encodeLayerSeg(ref, aiMasks, {
      kind: 'ai',
      modelOfStream,
      appVersion,
      seriesNumber: 9000,
      seriesDescription: 'Pleura AI segmentation',
    });
    const fileName = 'ai.seg.dcm';
    newFiles.push({ name: fileName, bytes: encoded.bytes });
    masksRef = { file: fileName, sha256: sha256Hex(encoded.bytes), streams: encoded.streams, segments: encoded.segments, stats: maskStatsOf(ref, aiMasks) };
  }
  const ai: AiLayer = {
    analysis: {
      createdAt: analysis.createdAt,
      appVersion: analysis.appVersion,
      models: analysis.models,
      executionProvider: analysis.executionProvider,
      series: analysis.series,
    },
    masks: masksRef,
  };
  return { ai, aiMasks, newFiles };
}
