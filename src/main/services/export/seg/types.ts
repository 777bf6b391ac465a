import type { CodedConcept } from './codes';

export type Vec3 = [number, number, number];

/** One source image the segmentation refers to, in series order. */
export interface SegSourceImage {
  sopClassUid: string;
  sopInstanceUid: string;
  /** 0-based frame of a multi-frame source file; null for single-frame files. */
  frame: number | null;
  imagePositionPatient: Vec3 | null;
}

/** Patient and study attributes copied into the SEG so it files next to its study. */
export interface SegPatientStudy {
  patientName: string;
  patientId: string;
  patientBirthDate: string;
  patientSex: string;
  studyInstanceUid: string;
  studyDate: string;
  studyTime: string;
  studyId: string;
  accessionNumber: string;
  referringPhysicianName: string;
  studyDescription: string;
}

/** The series a segmentation is drawn on, with the geometry the SEG needs. */
export interface SegSource extends SegPatientStudy {
  seriesInstanceUid: string;
  frameOfReferenceUid: string | null;
  rows: number;
  columns: number;
  /** [row spacing, column spacing] in mm. */
  pixelSpacing: [number, number] | null;
  sliceThickness: number | null;
  spacingBetweenSlices: number | null;
  imageOrientationPatient: [number, number, number, number, number, number] | null;
  images: SegSourceImage[];
}

export type SegAlgorithm =
  | { type: 'AUTOMATIC' | 'SEMIAUTOMATIC'; name: string; version: string; family?: CodedConcept }
  | { type: 'MANUAL' };

export interface SegSegmentInput {
  label: string;
  description?: string;
  category: CodedConcept;
  type: CodedConcept;
  algorithm: SegAlgorithm;
  /** Display colour, sRGB 0..255. */
  colourRgb?: readonly [number, number, number];
  /** Slice-major, images.length x rows x columns; nonzero = inside the segment. */
  mask: Uint8Array;
}

export interface SegWriteOptions {
  seriesDescription: string;
  seriesNumber: number;
  instanceNumber?: number;
  contentLabel: string;
  contentDescription: string;
  contentCreatorName?: string;
  manufacturer: string;
  manufacturerModelName: string;
  softwareVersions: string;
  deviceSerialNumber?: string;
  /** Fixed UIDs make a re-export of an unchanged layer identical; new ones are made otherwise. */
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  /** Content date/time; now by default. */
  contentDateTime?: Date;
  /** Set when the patient module was replaced: writes PatientIdentityRemoved and the method used. */
  deidentificationMethod?: string;
}

export interface SegSegmentRead {
  number: number;
  label: string;
  description: string | null;
  category: CodedConcept | null;
  type: CodedConcept | null;
  algorithmType: string;
  algorithmName: string | null;
  /** Slice-major binary mask (0/1) over the source images, in the order the reader was given. */
  mask: Uint8Array;
}

export interface SegRead {
  sopInstanceUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  referencedSeriesInstanceUid: string | null;
  patientName: string;
  patientId: string;
  rows: number;
  columns: number;
  contentLabel: string;
  segments: SegSegmentRead[];
}
