import type { InstanceDetail, Orientation, SeriesDetail, StudySummary, Vector3 } from '../../../common/dicom';

/** One displayable image: a single-frame file, or one frame of a multi-frame file. */
export interface ImageRecord {
  filePath: string;
  /** 0-based frame index in a multi-frame file; null for single-frame files. */
  frame: number | null;
  sopInstanceUid: string;
  sopClassUid: string;
  instanceNumber: number | null;
  acquisitionNumber: number | null;
  position: Vector3 | null;
  orientation: Orientation | null;
  pixelSpacing: [number, number] | null;
  sliceThickness: number | null;
  rows: number;
  columns: number;
  numberOfFrames: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  windowCenter: number | null;
  windowWidth: number | null;
  photometricInterpretation: string;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  samplesPerPixel: number;
  transferSyntaxUid: string;
}

export type StudyFields = Omit<StudySummary, 'series'>;

export interface SeriesFields {
  seriesInstanceUid: string;
  modality: string;
  seriesDescription: string;
  seriesNumber: number | null;
}

/** Everything the scan learned from one file. */
export interface ParsedFile {
  study: StudyFields;
  series: SeriesFields;
  images: ImageRecord[];
}

/** An instance as the engine and CLI see it: the viewer's detail plus where the bytes live. */
export interface IngestedInstance extends InstanceDetail {
  filePath: string;
}

/**
 * A sorted, consistent series with file paths: what the analysis engine reads.
 * `instances` are in slice order (first to last along the slice normal).
 */
export interface IngestedSeries extends Omit<SeriesDetail, 'instances'> {
  instances: IngestedInstance[];
}

export interface IngestedStudy extends StudyFields {
  series: IngestedSeries[];
}
