import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { STREAMS, type StreamId } from '../../../common/analysis/report';
import type { AutosavedMask, MaskStat, SegmentMapping, StudyRef } from '../../../common/sessions';
import { buildSegmentation, labelsOfStream, readSegmentation, streamSegments, type SegSource } from '../export/seg';

/** A layer's masks: one slice-major label volume per stream it holds. */
export type LayerMasks = Map<StreamId, Uint8Array>;

export { labelsOfStream };

export function maxLabelOf(stream: StreamId): number {
  return stream === 'all' ? 3 : 1;
}

export function voxelCount(study: StudyRef): number {
  return study.instances.length * study.rows * study.columns;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Identifiers a SEG carries; replaced in anonymised exports. */
export interface PatientOverride {
  patientName: string;
  patientId: string;
  patientBirthDate: string;
  patientSex: string;
  accessionNumber: string;
  referringPhysicianName: string;
  studyId: string;
}

export const ANONYMOUS_PATIENT: PatientOverride = {
  patientName: 'ANONYMOUS',
  patientId: 'ANONYMOUS',
  patientBirthDate: '',
  patientSex: '',
  accessionNumber: '',
  referringPhysicianName: '',
  studyId: '',
};

export function segSourceOf(study: StudyRef, patient?: PatientOverride): SegSource {
  return {
    patientName: study.patient.name,
    patientId: study.patient.id,
    patientBirthDate: study.patient.birthDate,
    patientSex: study.patient.sex,
    studyInstanceUid: study.studyInstanceUid,
    studyDate: study.studyDate,
    studyTime: study.studyTime,
    studyId: study.studyId,
    accessionNumber: study.accessionNumber,
    referringPhysicianName: study.referringPhysicianName,
    studyDescription: study.studyDescription,
    ...(patient ?? {}),
    seriesInstanceUid: study.seriesInstanceUid,
    frameOfReferenceUid: study.frameOfReferenceUid,
    rows: study.rows,
    columns: study.columns,
    pixelSpacing: study.pixelSpacing,
    sliceThickness: study.sliceThickness,
    spacingBetweenSlices: study.spacingBetweenSlices,
    imageOrientationPatient: study.imageOrientationPatient,
    images: study.instances.map((instance) => ({
      sopClassUid: instance.sopClassUid,
      sopInstanceUid: instance.sopInstanceUid,
      frame: instance.frame,
      imagePositionPatient: instance.imagePositionPatient,
    })),
  };
}

export interface LayerSegOptions {
  /** 'ai' for the analysis output, otherwise the reader's name (content creator). */
  kind: 'ai' | 'reader';
  readerName?: string;
  /** Model id per stream (AI layer), for SegmentAlgorithmName. */
  modelOfStream?: Partial<Record<StreamId, { id: string; version: string }>>;
  appVersion: string;
  seriesNumber: number;
  seriesDescription: string;
  patient?: PatientOverride;
  deidentificationMethod?: string;
}

/** One SEG segment per (stream, label value); the mapping lets the reader rebuild label volumes. */
export function encodeLayerSeg(study: StudyRef, masks: LayerMasks, options: LayerSegOptions): { bytes: Uint8Array; segments: SegmentMapping[]; streams: StreamId[] } {
  const { inputs, mapping: segments, streams } = streamSegments(masks, {
    kind: options.kind,
    appVersion: options.appVersion,
    ...(options.modelOfStream ? { modelOfStream: options.modelOfStream } : {}),
  });
  if (inputs.length === 0) throw new Error('This layer has no masks to write.');
  const bytes = buildSegmentation(segSourceOf(study, options.patient), inputs, {
    seriesDescription: options.seriesDescription,
    seriesNumber: options.seriesNumber,
    contentLabel: options.kind === 'ai' ? 'PLEURA_AI' : 'PLEURA_READER',
    contentDescription: options.kind === 'ai' ? 'Pleura AI segmentation (research use only)' : `Reader-edited segmentation`,
    contentCreatorName: options.kind === 'reader' ? (options.readerName ?? '') : '',
    manufacturer: 'Pleura',
    manufacturerModelName: 'Pleura',
    softwareVersions: options.appVersion,
    ...(options.deidentificationMethod ? { deidentificationMethod: options.deidentificationMethod } : {}),
  });
  return { bytes, segments, streams };
}

/** Reads a layer SEG back into label volumes using the mapping recorded in session.json. */
export function decodeLayerSeg(study: StudyRef, bytes: Uint8Array, segments: readonly SegmentMapping[], streams: readonly StreamId[]): LayerMasks {
  const read = readSegmentation(
    bytes,
    study.instances.map((instance) => ({ sopInstanceUid: instance.sopInstanceUid, frame: instance.frame })),
  );
  if (read.rows !== study.rows || read.columns !== study.columns) {
    throw new Error(`The mask file is ${read.rows}x${read.columns}; the series is ${study.rows}x${study.columns}.`);
  }
  const masks: LayerMasks = new Map();
  for (const stream of streams) masks.set(stream, new Uint8Array(voxelCount(study)));
  for (const mapping of segments) {
    const segment = read.segments.find((item) => item.number === mapping.segmentNumber);
    const labels = masks.get(mapping.stream);
    if (!segment || !labels) throw new Error(`The mask file lacks segment ${mapping.segmentNumber} (${mapping.stream}).`);
    for (let i = 0; i < labels.length; i++) if (segment.mask[i]) labels[i] = mapping.labelValue;
  }
  return masks;
}

export function deflateMask(layerId: string, stream: StreamId, labels: Uint8Array): AutosavedMask {
  return {
    layerId,
    stream,
    byteLength: labels.length,
    deflatedBase64: deflateSync(labels, { level: 6 }).toString('base64'),
    sha256: sha256Hex(labels),
  };
}

export function inflateMask(saved: AutosavedMask): Uint8Array {
  const labels = new Uint8Array(inflateSync(Buffer.from(saved.deflatedBase64, 'base64')));
  if (labels.length !== saved.byteLength || sha256Hex(labels) !== saved.sha256) {
    throw new Error(`The autosaved ${saved.stream} mask of ${saved.layerId} is damaged.`);
  }
  return labels;
}

/** Pixels, slices and volume per manifestation for each stream of a layer. */
export function maskStatsOf(study: StudyRef, masks: LayerMasks): MaskStat[] {
  const pixelsPerSlice = study.rows * study.columns;
  const voxelMl =
    study.pixelSpacing && (study.spacingBetweenSlices ?? study.sliceThickness)
      ? (study.pixelSpacing[0] * study.pixelSpacing[1] * (study.spacingBetweenSlices ?? study.sliceThickness)!) / 1000
      : null;
  const stats: MaskStat[] = [];
  for (const stream of STREAMS) {
    const labels = masks.get(stream);
    if (!labels) continue;
    for (const { labelValue, manifestation } of labelsOfStream(stream)) {
      let pixelCount = 0;
      let sliceCount = 0;
      for (let slice = 0; slice < study.instances.length; slice++) {
        let inSlice = 0;
        const end = (slice + 1) * pixelsPerSlice;
        for (let i = slice * pixelsPerSlice; i < end; i++) if (labels[i] === labelValue) inSlice++;
        pixelCount += inSlice;
        if (inSlice > 0) sliceCount++;
      }
      stats.push({ stream, manifestation, pixelCount, sliceCount, volumeMl: voxelMl === null ? null : Math.round(pixelCount * voxelMl * 100) / 100 });
    }
  }
  return stats;
}
