import { unpackFrame } from './bits';
import type { CodedConcept } from './codes';
import { dcmjsData, toArrayBuffer, type NaturalDataset } from './dcmjs-runtime';
import type { SegRead, SegSegmentRead } from './types';
import { SEGMENTATION_STORAGE_SOP_CLASS } from './write-seg';

/** Where a frame's source image sits in the caller's series order. */
export interface SegReadTarget {
  sopInstanceUid: string;
  /** 0-based frame of a multi-frame source; null for single-frame files. */
  frame: number | null;
}

function first(value: unknown): NaturalDataset | null {
  if (Array.isArray(value)) return (value[0] as NaturalDataset | undefined) ?? null;
  if (value && typeof value === 'object') return value as NaturalDataset;
  return null;
}

function text(value: unknown): string {
  if (Array.isArray(value)) return value.length > 0 ? text(value[0]) : '';
  if (value && typeof value === 'object' && 'Alphabetic' in value) return String((value as { Alphabetic: unknown }).Alphabetic ?? '');
  return value === undefined || value === null ? '' : String(value);
}

function code(value: unknown): CodedConcept | null {
  const item = first(value);
  if (!item) return null;
  return { CodeValue: text(item.CodeValue), CodingSchemeDesignator: text(item.CodingSchemeDesignator), CodeMeaning: text(item.CodeMeaning) };
}

function pixelBytes(value: unknown): Uint8Array {
  const buffers = Array.isArray(value) ? value : [value];
  const parts = buffers.map((part) => {
    if (part instanceof ArrayBuffer) return new Uint8Array(part);
    if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
    throw new Error('The segmentation has no readable pixel data.');
  });
  if (parts.length === 1) return parts[0]!;
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/**
 * Reads a binary DICOM SEG back into one slice-major mask per segment over `targets`
 * (the series' images in order). Frames referring to images not in `targets` are an
 * error: a mask silently dropped would look like the reader erased it.
 */
export function readSegmentation(bytes: Uint8Array, targets: readonly SegReadTarget[]): SegRead {
  const dict = dcmjsData.DicomMessage.readFile(toArrayBuffer(bytes));
  const ds = dcmjsData.DicomMetaDictionary.naturalizeDataset(dict.dict);
  if (text(ds.SOPClassUID) !== SEGMENTATION_STORAGE_SOP_CLASS) throw new Error('The file is not a DICOM Segmentation.');
  if (text(ds.SegmentationType) !== 'BINARY' || Number(ds.BitsAllocated) !== 1) {
    throw new Error('Only binary segmentations can be read.');
  }
  const rows = Number(ds.Rows);
  const columns = Number(ds.Columns);
  const pixelsPerSlice = rows * columns;
  const frameCount = Number(ds.NumberOfFrames ?? 1);
  const packed = pixelBytes(ds.PixelData);

  const slot = new Map<string, number>();
  targets.forEach((target, index) => slot.set(`${target.sopInstanceUid}#${target.frame ?? 0}`, index));

  const segmentItems = (Array.isArray(ds.SegmentSequence) ? ds.SegmentSequence : []) as NaturalDataset[];
  const segments = new Map<number, SegSegmentRead>();
  for (const item of segmentItems) {
    const number = Number(item.SegmentNumber);
    segments.set(number, {
      number,
      label: text(item.SegmentLabel),
      description: text(item.SegmentDescription) || null,
      category: code(item.SegmentedPropertyCategoryCodeSequence),
      type: code(item.SegmentedPropertyTypeCodeSequence),
      algorithmType: text(item.SegmentAlgorithmType),
      algorithmName: text(item.SegmentAlgorithmName) || null,
      mask: new Uint8Array(targets.length * pixelsPerSlice),
    });
  }

  const perFrame = (Array.isArray(ds.PerFrameFunctionalGroupsSequence) ? ds.PerFrameFunctionalGroupsSequence : []) as NaturalDataset[];
  if (perFrame.length !== frameCount) throw new Error(`The segmentation lists ${perFrame.length} frames but holds ${frameCount}.`);
  const shared = first(ds.SharedFunctionalGroupsSequence);
  perFrame.forEach((frameGroups, frameIndex) => {
    const segmentNumber = Number(first(frameGroups.SegmentIdentificationSequence ?? shared?.SegmentIdentificationSequence)?.ReferencedSegmentNumber);
    const segment = segments.get(segmentNumber);
    if (!segment) throw new Error(`Frame ${frameIndex + 1} refers to segment ${segmentNumber}, which is not defined.`);
    const sourceImage = first(first(frameGroups.DerivationImageSequence)?.SourceImageSequence);
    const uid = text(sourceImage?.ReferencedSOPInstanceUID);
    const referencedFrame = sourceImage?.ReferencedFrameNumber === undefined ? 0 : Number(text(sourceImage.ReferencedFrameNumber)) - 1;
    const index = slot.get(`${uid}#${referencedFrame}`);
    if (index === undefined) throw new Error(`Frame ${frameIndex + 1} refers to image ${uid}, which is not in this series.`);
    const pixels = unpackFrame(packed, frameIndex, pixelsPerSlice);
    const offset = index * pixelsPerSlice;
    for (let i = 0; i < pixelsPerSlice; i++) if (pixels[i]) segment.mask[offset + i] = 1;
  });

  const referencedSeries = first(ds.ReferencedSeriesSequence);
  return {
    sopInstanceUid: text(ds.SOPInstanceUID),
    seriesInstanceUid: text(ds.SeriesInstanceUID),
    studyInstanceUid: text(ds.StudyInstanceUID),
    referencedSeriesInstanceUid: referencedSeries ? text(referencedSeries.SeriesInstanceUID) : null,
    patientName: text(ds.PatientName),
    patientId: text(ds.PatientID),
    rows,
    columns,
    contentLabel: text(ds.ContentLabel),
    segments: [...segments.values()].sort((a, b) => a.number - b.number),
  };
}
