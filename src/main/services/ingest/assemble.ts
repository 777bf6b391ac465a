import { createHash } from 'node:crypto';
import type { SkippedFile, SliceOrder } from '../../../common/dicom';
import { inspectSpacing, orientationKey, orientationName, projectOnNormal, sliceNormal } from './geometry';
import type { ImageRecord, IngestedInstance, IngestedSeries, IngestedStudy, ParsedFile, SeriesFields, StudyFields } from './types';

/** Modalities whose evenly spaced series can be shown as a 3D volume. */
const VOLUME_MODALITIES = new Set(['CT', 'MR']);

/** Opaque, stable id of one file: a hash, so no path ever reaches the renderer. */
export function fileIdOf(filePath: string): string {
  return createHash('sha256').update(filePath).digest('hex').slice(0, 32);
}

/** Id of one image: the file's id, plus the frame for frames of a multi-frame file. */
export function instanceIdOf(fileId: string, frame: number | null): string {
  return frame === null ? fileId : `${fileId}-${frame}`;
}

function formatMm(value: number): string {
  return `${Number(value.toFixed(2))} mm`;
}

function toInstance(image: ImageRecord): IngestedInstance {
  const fileId = fileIdOf(image.filePath);
  return {
    id: instanceIdOf(fileId, image.frame),
    fileId,
    filePath: image.filePath,
    sopInstanceUid: image.sopInstanceUid,
    sopClassUid: image.sopClassUid,
    frame: image.frame,
    instanceNumber: image.instanceNumber,
    imagePositionPatient: image.position,
    imageOrientationPatient: image.orientation,
    transferSyntaxUid: image.transferSyntaxUid,
    rows: image.rows,
    columns: image.columns,
    pixelSpacing: image.pixelSpacing,
    sliceThickness: image.sliceThickness,
    numberOfFrames: image.numberOfFrames,
    rescaleSlope: image.rescaleSlope,
    rescaleIntercept: image.rescaleIntercept,
    windowCenter: image.windowCenter,
    windowWidth: image.windowWidth,
    photometricInterpretation: image.photometricInterpretation,
    bitsAllocated: image.bitsAllocated,
    bitsStored: image.bitsStored,
    pixelRepresentation: image.pixelRepresentation,
    samplesPerPixel: image.samplesPerPixel,
  };
}

function byInstanceNumber(a: ImageRecord, b: ImageRecord): number {
  const numberA = a.instanceNumber ?? Number.MAX_SAFE_INTEGER;
  const numberB = b.instanceNumber ?? Number.MAX_SAFE_INTEGER;
  if (numberA !== numberB) return numberA - numberB;
  if ((a.frame ?? 0) !== (b.frame ?? 0)) return (a.frame ?? 0) - (b.frame ?? 0);
  return a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0;
}

interface OrderedPart {
  images: ImageRecord[];
  orderedBy: SliceOrder;
  spacingBetweenSlices: number | null;
  consistent: boolean;
  warnings: string[];
}

/**
 * Orders one consistent part of a series. With full geometry, images are sorted by
 * their position along the slice normal (InstanceNumber is often wrong or reversed);
 * without it, by instance number, and the series says so.
 */
function orderPart(images: ImageRecord[]): OrderedPart {
  const warnings: string[] = [];
  const first = images[0];
  const orientation = first?.orientation ?? null;
  const withGeometry = orientation !== null && images.every((image) => image.position !== null && image.orientation !== null);
  if (!withGeometry) {
    const ordered = [...images].sort(byInstanceNumber);
    if (images.length > 1) {
      const some = images.some((image) => image.position !== null);
      warnings.push(
        some
          ? 'Some images have no patient position, so all are ordered by instance number; the order may not match the anatomy.'
          : 'These images carry no patient position, so they are ordered by instance number; the order may not match the anatomy.',
      );
    }
    return { images: ordered, orderedBy: 'instance-number', spacingBetweenSlices: null, consistent: false, warnings };
  }
  const normal = sliceNormal(orientation);
  const keyed = images.map((image) => ({ image, at: projectOnNormal(image.position ?? [0, 0, 0], normal) }));
  keyed.sort((a, b) => a.at - b.at || byInstanceNumber(a.image, b.image));
  const report = inspectSpacing(keyed.map((entry) => entry.at));
  if (report.duplicatePositions > 0) {
    warnings.push(
      `${report.duplicatePositions} image(s) share a slice position with another image (repeated or overlapping acquisition?); shown as a 2D stack, not a 3D volume.`,
    );
  }
  if (report.gaps.length > 0 && report.spacing !== null) {
    const largest = Math.max(...report.gaps.map(([, step]) => step));
    const firstGap = report.gaps[0]?.[0] ?? 0;
    warnings.push(
      `Missing slices: ${report.gaps.length} gap(s) between slice positions (largest ${formatMm(largest)} where ${formatMm(report.spacing)} is usual, first after image ${firstGap + 1} of ${images.length}); shown as a 2D stack, not a 3D volume.`,
    );
  } else if (report.irregular && report.spacing !== null) {
    warnings.push(`Slice spacing is uneven (usually ${formatMm(report.spacing)}); shown as a 2D stack, not a 3D volume.`);
  }
  const consistent = report.duplicatePositions === 0 && report.gaps.length === 0 && !report.irregular;
  return { images: keyed.map((entry) => entry.image), orderedBy: 'position', spacingBetweenSlices: report.spacing, consistent, warnings };
}

function orderScattered(images: ImageRecord[]): OrderedPart {
  return {
    images: [...images].sort(byInstanceNumber),
    orderedBy: 'instance-number',
    spacingBetweenSlices: null,
    consistent: false,
    warnings: ['Every image of this series has a different size or orientation (a localizer?); they are shown as one stack in instance-number order.'],
  };
}

/**
 * Splits a series whose images cannot form one stack (different sizes or
 * orientations, e.g. a scout mixed into an axial series). The largest part keeps
 * the plain SeriesInstanceUID, the others get `#2`, `#3`, ...
 */
function partition(images: ImageRecord[]): ImageRecord[][] {
  const parts = new Map<string, ImageRecord[]>();
  for (const image of images) {
    const key = `${image.rows}x${image.columns}|${orientationKey(image.orientation)}`;
    const part = parts.get(key);
    if (part) part.push(image);
    else parts.set(key, [image]);
  }
  return [...parts.values()].sort((a, b) => b.length - a.length);
}

function buildSeries(studyInstanceUid: string, fields: SeriesFields, images: ImageRecord[]): IngestedSeries[] {
  let parts = partition(images);
  // Single images of different planes (e.g. a 3-plane localizer) make one part each;
  // a row of one-image series helps nobody, so they stay together as one stack.
  const scattered = parts.length > 1 && parts.every((part) => part.length === 1);
  if (scattered) parts = [images];
  return parts.map((part, index) => {
    const ordered = scattered ? orderScattered(part) : orderPart(part);
    const first = ordered.images[0];
    const warnings = [...ordered.warnings];
    if (parts.length > 1) {
      warnings.unshift(
        `This series mixes images of different size or orientation, so Pleura split it into ${parts.length} parts; this part has ${part.length} image(s) of ${first?.columns ?? 0}×${first?.rows ?? 0} pixels, ${orientationName(first?.orientation ?? null)}.`,
      );
    }
    const kind = VOLUME_MODALITIES.has(fields.modality) && ordered.consistent && ordered.images.length >= 3 ? 'volume' : 'stack';
    return {
      studyInstanceUid,
      seriesId: index === 0 ? fields.seriesInstanceUid : `${fields.seriesInstanceUid}#${index + 1}`,
      seriesInstanceUid: fields.seriesInstanceUid,
      modality: fields.modality,
      seriesDescription: fields.seriesDescription,
      seriesNumber: fields.seriesNumber,
      numberOfInstances: ordered.images.length,
      rows: first?.rows ?? 1,
      columns: first?.columns ?? 1,
      pixelSpacing: first?.pixelSpacing ?? null,
      sliceThickness: first?.sliceThickness ?? null,
      spacingBetweenSlices: ordered.spacingBetweenSlices,
      imageOrientationPatient: first?.orientation ?? null,
      orderedBy: ordered.orderedBy,
      kind,
      warnings,
      instances: ordered.images.map(toInstance),
    };
  });
}

interface StudyAccumulator {
  fields: StudyFields;
  series: Map<string, { fields: SeriesFields; images: ImageRecord[]; seen: Map<string, string> }>;
}

export interface AssembleResult {
  studies: IngestedStudy[];
  /** Second copies of an image already seen (same SOP Instance UID and frame). */
  duplicates: SkippedFile[];
}

/** Groups parsed files into studies and series, each series sorted and checked. */
export function assembleStudies(files: readonly ParsedFile[]): AssembleResult {
  const studies = new Map<string, StudyAccumulator>();
  const duplicates: SkippedFile[] = [];
  for (const file of files) {
    let study = studies.get(file.study.studyInstanceUid);
    if (!study) {
      study = { fields: file.study, series: new Map() };
      studies.set(file.study.studyInstanceUid, study);
    }
    let series = study.series.get(file.series.seriesInstanceUid);
    if (!series) {
      series = { fields: file.series, images: [], seen: new Map() };
      study.series.set(file.series.seriesInstanceUid, series);
    }
    const firstImage = file.images[0];
    const key = `${firstImage?.sopInstanceUid ?? ''}`;
    const earlier = series.seen.get(key);
    if (earlier !== undefined) {
      duplicates.push({ path: file.images[0]?.filePath ?? '', reason: `duplicate copy of ${earlier} (same SOP Instance UID); the first copy is used` });
      continue;
    }
    series.seen.set(key, firstImage?.filePath ?? '');
    series.images.push(...file.images);
  }
  const result: IngestedStudy[] = [];
  for (const [studyInstanceUid, study] of studies) {
    const series = [...study.series.values()]
      .flatMap((entry) => buildSeries(studyInstanceUid, entry.fields, entry.images))
      .sort((a, b) => (a.seriesNumber ?? Number.MAX_SAFE_INTEGER) - (b.seriesNumber ?? Number.MAX_SAFE_INTEGER) || a.seriesId.localeCompare(b.seriesId));
    result.push({ ...study.fields, series });
  }
  result.sort((a, b) => b.studyDate.localeCompare(a.studyDate) || a.studyInstanceUid.localeCompare(b.studyInstanceUid));
  return { studies: result, duplicates };
}
