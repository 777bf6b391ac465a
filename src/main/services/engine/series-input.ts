import { basename, extname } from 'node:path';
import type { IngestedSeries } from '../ingest';
import type { SeriesInput } from './types';

/** Modalities analysed as chest X-rays (stage 1 only); CT runs all three stages. */
const XRAY_MODALITIES = new Set(['CR', 'DX', 'DR', 'RG', 'XA']);

export class UnsupportedSeriesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedSeriesError';
  }
}

export function kindOfModality(modality: string): 'ct' | 'xray' | null {
  const upper = modality.trim().toUpperCase();
  if (upper === 'CT') return 'ct';
  if (XRAY_MODALITIES.has(upper)) return 'xray';
  return null;
}

/** SOPInstanceUID, plus `#<frame>` (1-based, as DICOM counts frames) for multi-frame files. */
export function instanceKey(sopInstanceUid: string, frame: number | null): string {
  return frame === null ? sopInstanceUid : `${sopInstanceUid}#${frame + 1}`;
}

/**
 * An ingested (sorted, consistent) DICOM series as the engine's input. The Modality tag
 * decides CT or X-ray; the slice spacing is the ingest's measured spacing between slice
 * positions, else SliceThickness.
 */
export function seriesInputFromIngest(series: IngestedSeries): SeriesInput & { viewerIds: Map<string, string> } {
  const kind = kindOfModality(series.modality);
  if (!kind) {
    throw new UnsupportedSeriesError(`Modality "${series.modality || 'unknown'}" cannot be analysed: the models are for chest CT and chest X-ray (CR/DX).`);
  }
  const zSpacing = series.spacingBetweenSlices ?? series.sliceThickness;
  const spacingMm: [number, number, number] | null =
    series.pixelSpacing && zSpacing !== null && zSpacing > 0 ? [series.pixelSpacing[0], series.pixelSpacing[1], zSpacing] : null;
  const viewerIds = new Map<string, string>();
  const slices = series.instances.map((instance) => {
    const id = instanceKey(instance.sopInstanceUid, instance.frame);
    viewerIds.set(id, instance.id);
    return instance.frame === null
      ? { id, path: instance.filePath, source: 'dicom' as const }
      : { id, path: instance.filePath, source: 'dicom' as const, frame: instance.frame };
  });
  return {
    seriesInstanceUid: series.seriesInstanceUid,
    studyInstanceUid: series.studyInstanceUid,
    modality: series.modality,
    kind,
    description: series.seriesDescription || null,
    spacingMm,
    slices,
    viewerIds,
  };
}

/** A PNG / JPEG file as a one-image series (no spacing: volumes are reported as null). */
export function seriesInputFromImage(path: string, kind: 'ct' | 'xray', id = basename(path, extname(path))): SeriesInput {
  return {
    seriesInstanceUid: `image:${id}`,
    studyInstanceUid: null,
    modality: kind === 'ct' ? 'CT' : 'DX',
    kind,
    description: basename(path),
    spacingMm: null,
    slices: [{ id, path, source: 'image' }],
  };
}
