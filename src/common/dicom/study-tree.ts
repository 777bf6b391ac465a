/**
 * The study tree the ingest service builds from a folder of DICOM files, as the
 * renderer, the CLI and other services see it. Zod schemas double as the IPC
 * contract (src/common/ipc/studies.ts), so main and renderer agree on one shape.
 * Paths never appear here: the renderer reaches bytes only through opaque
 * instance ids served at `/instance/<id>`.
 */
import { z } from 'zod';

export const Vector3 = z.tuple([z.number(), z.number(), z.number()]);
export type Vector3 = z.infer<typeof Vector3>;

/** Row and column direction cosines (DICOM ImageOrientationPatient). */
export const Orientation = z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()]);
export type Orientation = z.infer<typeof Orientation>;

/** [row spacing, column spacing] in mm (DICOM PixelSpacing order). */
export const PixelSpacing = z.tuple([z.number(), z.number()]);
export type PixelSpacing = z.infer<typeof PixelSpacing>;

export const InstanceSummary = z.object({
  /** Opaque id, unique per image; `/instance/<id>` serves the file's bytes. */
  id: z.string(),
  /**
   * Opaque id of the file: the same for every frame of a multi-frame file (equal to `id`
   * for single-frame files). Fetch `/instance/<fileId>` and pick `frame`, so a multi-frame
   * file is transferred and parsed once rather than once per frame.
   */
  fileId: z.string(),
  sopInstanceUid: z.string(),
  /** 0-based frame index inside a multi-frame file; null for single-frame files. */
  frame: z.number().int().nonnegative().nullable(),
  instanceNumber: z.number().nullable(),
  imagePositionPatient: Vector3.nullable(),
  transferSyntaxUid: z.string(),
});
export type InstanceSummary = z.infer<typeof InstanceSummary>;

export const SeriesKind = z.enum(['volume', 'stack']);
export type SeriesKind = z.infer<typeof SeriesKind>;

/** How instances were put in order: by position along the slice normal, or (no geometry) by instance number. */
export const SliceOrder = z.enum(['position', 'instance-number']);
export type SliceOrder = z.infer<typeof SliceOrder>;

export const SeriesSummary = z.object({
  /** SeriesInstanceUID, with `#2`, `#3`... appended for parts split off an inconsistent series. */
  seriesId: z.string(),
  seriesInstanceUid: z.string(),
  modality: z.string(),
  seriesDescription: z.string(),
  seriesNumber: z.number().nullable(),
  numberOfInstances: z.number().int().nonnegative(),
  rows: z.number().int().positive(),
  columns: z.number().int().positive(),
  pixelSpacing: PixelSpacing.nullable(),
  sliceThickness: z.number().nullable(),
  /** Median distance between neighbouring slice positions (mm); null without geometry or with one slice. */
  spacingBetweenSlices: z.number().nullable(),
  imageOrientationPatient: Orientation.nullable(),
  orderedBy: SliceOrder,
  /** 'volume': a CT/MR series of >= 3 evenly spaced slices that can be shown in 3D; otherwise 'stack'. */
  kind: SeriesKind,
  /** Plain-language problems found in the series (gaps, duplicates, splits). */
  warnings: z.array(z.string()),
  /** Sorted: first slice to last along the slice normal (or by instance number). */
  instances: z.array(InstanceSummary),
});
export type SeriesSummary = z.infer<typeof SeriesSummary>;

/** A series' image grid: what the CLI's JSON, SEG writers and session study references all carry. */
export type SeriesGrid = Pick<SeriesSummary, 'rows' | 'columns' | 'pixelSpacing' | 'sliceThickness' | 'spacingBetweenSlices' | 'imageOrientationPatient'>;

export function seriesGrid(series: SeriesGrid): SeriesGrid {
  return {
    rows: series.rows,
    columns: series.columns,
    pixelSpacing: series.pixelSpacing,
    sliceThickness: series.sliceThickness,
    spacingBetweenSlices: series.spacingBetweenSlices,
    imageOrientationPatient: series.imageOrientationPatient,
  };
}

export const StudySummary = z.object({
  studyInstanceUid: z.string(),
  patientName: z.string(),
  patientId: z.string(),
  patientBirthDate: z.string(),
  patientSex: z.string(),
  studyDate: z.string(),
  studyTime: z.string(),
  studyDescription: z.string(),
  accessionNumber: z.string(),
  series: z.array(SeriesSummary),
});
export type StudySummary = z.infer<typeof StudySummary>;

export const SkippedFile = z.object({
  path: z.string(),
  /** Why the file was not opened, in words a clinician or IT person understands. */
  reason: z.string(),
});
export type SkippedFile = z.infer<typeof SkippedFile>;

export const ScanStats = z.object({
  filesFound: z.number().int().nonnegative(),
  filesOpened: z.number().int().nonnegative(),
  filesSkipped: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});
export type ScanStats = z.infer<typeof ScanStats>;

export const ScanResult = z.object({
  studies: z.array(StudySummary),
  skipped: z.array(SkippedFile),
  stats: ScanStats,
});
export type ScanResult = z.infer<typeof ScanResult>;

/** Per-instance display attributes a viewer needs beyond the summary. */
export const InstanceDetail = InstanceSummary.extend({
  rows: z.number().int().positive(),
  columns: z.number().int().positive(),
  imageOrientationPatient: Orientation.nullable(),
  pixelSpacing: PixelSpacing.nullable(),
  sliceThickness: z.number().nullable(),
  numberOfFrames: z.number().int().positive(),
  rescaleSlope: z.number(),
  rescaleIntercept: z.number(),
  windowCenter: z.number().nullable(),
  windowWidth: z.number().nullable(),
  photometricInterpretation: z.string(),
  bitsAllocated: z.number().int(),
  bitsStored: z.number().int(),
  pixelRepresentation: z.number().int(),
  samplesPerPixel: z.number().int(),
  sopClassUid: z.string(),
});
export type InstanceDetail = z.infer<typeof InstanceDetail>;

export const SeriesDetail = SeriesSummary.extend({
  studyInstanceUid: z.string(),
  instances: z.array(InstanceDetail),
});
export type SeriesDetail = z.infer<typeof SeriesDetail>;

export const ScanPhase = z.enum(['listing', 'reading', 'done']);
export type ScanPhase = z.infer<typeof ScanPhase>;

export const ScanProgress = z.object({
  phase: ScanPhase,
  filesScanned: z.number().int().nonnegative(),
  /** Files found so far; final once phase is 'reading'. */
  filesTotal: z.number().int().nonnegative(),
  filesSkipped: z.number().int().nonnegative(),
});
export type ScanProgress = z.infer<typeof ScanProgress>;

export const RecentStudy = z.object({
  /** What was opened (folders or files), to reopen with `studies:open-path`. */
  paths: z.array(z.string()).min(1),
  openedAt: z.string(),
  /** e.g. "DOE^JANE — CHEST CT (2 series)". */
  label: z.string(),
  studyInstanceUids: z.array(z.string()),
});
export type RecentStudy = z.infer<typeof RecentStudy>;
