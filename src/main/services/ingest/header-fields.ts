import type { DataSet } from 'dicom-parser';
import type { Orientation, Vector3 } from '../../../common/dicom';
import { nonImageReason } from './sop-classes';
import { textReaderFor } from './text';
import { isViewableTransferSyntax, transferSyntaxName } from './transfer-syntaxes';
import type { ImageRecord, ParsedFile } from './types';

const TAG = {
  transferSyntaxUid: 'x00020010',
  mediaStorageSopClassUid: 'x00020002',
  sopClassUid: 'x00080016',
  sopInstanceUid: 'x00080018',
  studyDate: 'x00080020',
  studyTime: 'x00080030',
  accessionNumber: 'x00080050',
  modality: 'x00080060',
  studyDescription: 'x00081030',
  seriesDescription: 'x0008103e',
  patientName: 'x00100010',
  patientId: 'x00100020',
  patientBirthDate: 'x00100030',
  patientSex: 'x00100040',
  sliceThickness: 'x00180050',
  studyInstanceUid: 'x0020000d',
  seriesInstanceUid: 'x0020000e',
  seriesNumber: 'x00200011',
  acquisitionNumber: 'x00200012',
  instanceNumber: 'x00200013',
  imagePositionPatient: 'x00200032',
  imageOrientationPatient: 'x00200037',
  samplesPerPixel: 'x00280002',
  photometricInterpretation: 'x00280004',
  numberOfFrames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  pixelSpacing: 'x00280030',
  imagerPixelSpacing: 'x00181164',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  pixelRepresentation: 'x00280103',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  pixelData: 'x7fe00010',
  sharedFunctionalGroups: 'x52009229',
  perFrameFunctionalGroups: 'x52009230',
  planePositionSequence: 'x00209113',
  planeOrientationSequence: 'x00209116',
  pixelMeasuresSequence: 'x00289110',
  pixelValueTransformationSequence: 'x00289145',
  frameVoiLutSequence: 'x00289132',
} as const;

export type FieldsResult = { ok: true; file: ParsedFile } | { ok: false; reason: string };

function trimmed(dataSet: DataSet, tag: string): string {
  return (dataSet.string(tag) ?? '').replace(/\0/gu, '').trim();
}

/** The numbers of a DS/IS attribute with `count` values, or null when absent or malformed. */
function numbers(dataSet: DataSet, tag: string, count: number): number[] | null {
  const text = trimmed(dataSet, tag);
  if (text === '') return null;
  const values = text.split('\\').map((part) => Number.parseFloat(part));
  if (values.length < count) return null;
  const wanted = values.slice(0, count);
  return wanted.every((value) => Number.isFinite(value)) ? wanted : null;
}

function firstNumber(dataSet: DataSet, tag: string): number | null {
  return numbers(dataSet, tag, 1)?.[0] ?? null;
}

function vector3(dataSet: DataSet, tag: string): Vector3 | null {
  const values = numbers(dataSet, tag, 3);
  return values ? [values[0] ?? 0, values[1] ?? 0, values[2] ?? 0] : null;
}

function orientation(dataSet: DataSet, tag: string): Orientation | null {
  const v = numbers(dataSet, tag, 6);
  if (!v) return null;
  const o: Orientation = [v[0] ?? 0, v[1] ?? 0, v[2] ?? 0, v[3] ?? 0, v[4] ?? 0, v[5] ?? 0];
  // A zero vector has no direction; such files are treated as having no geometry.
  const rowLength = Math.hypot(o[0], o[1], o[2]);
  const columnLength = Math.hypot(o[3], o[4], o[5]);
  return rowLength > 0.5 && columnLength > 0.5 ? o : null;
}

function spacing(dataSet: DataSet, tag: string): [number, number] | null {
  const values = numbers(dataSet, tag, 2);
  if (!values) return null;
  const [row, column] = values as [number, number];
  return row > 0 && column > 0 ? [row, column] : null;
}

/** First item's data set of a sequence attribute inside `dataSet`, if any. */
function firstItem(dataSet: DataSet | undefined, tag: string): DataSet | undefined {
  return dataSet?.elements[tag]?.items?.[0]?.dataSet;
}

/** Reads a functional-group value: per-frame item first, then the shared one. */
function fromGroups<T>(perFrame: DataSet | undefined, shared: DataSet | undefined, sequence: string, read: (item: DataSet) => T | null): T | null {
  const own = firstItem(perFrame, sequence);
  const ownValue = own ? read(own) : null;
  if (ownValue !== null) return ownValue;
  const common = firstItem(shared, sequence);
  return common ? read(common) : null;
}

/**
 * Turns a parsed header into image records, or a plain reason why the file is not
 * an image Pleura can show. Multi-frame files give one record per frame; enhanced
 * (functional-group) files give each frame its own position and orientation.
 */
export function readFields(filePath: string, dataSet: DataSet, pixelDataComplete: boolean): FieldsResult {
  const sopClassUid = trimmed(dataSet, TAG.sopClassUid) || trimmed(dataSet, TAG.mediaStorageSopClassUid);
  const notImage = nonImageReason(sopClassUid);
  if (notImage) return { ok: false, reason: `not an image: ${notImage}` };
  if (!dataSet.elements[TAG.pixelData]) {
    // Without Rows the header itself stops early: a file cut between two attributes reads as
    // a short but valid header, so say that it may be cut short rather than blame the content.
    return dataSet.elements[TAG.rows]
      ? { ok: false, reason: 'no pixel data (this DICOM file holds no image)' }
      : { ok: false, reason: 'no image in this file (it ends before any image attributes: cut short, or not an image object)' };
  }
  if (!pixelDataComplete) return { ok: false, reason: 'the file is truncated: its image data is incomplete' };

  const transferSyntaxUid = trimmed(dataSet, TAG.transferSyntaxUid) || '1.2.840.10008.1.2';
  if (!isViewableTransferSyntax(transferSyntaxUid)) {
    return { ok: false, reason: `unsupported transfer syntax ${transferSyntaxName(transferSyntaxUid)}` };
  }

  const studyInstanceUid = trimmed(dataSet, TAG.studyInstanceUid);
  const seriesInstanceUid = trimmed(dataSet, TAG.seriesInstanceUid);
  const sopInstanceUid = trimmed(dataSet, TAG.sopInstanceUid);
  const missing = [
    studyInstanceUid ? null : 'StudyInstanceUID',
    seriesInstanceUid ? null : 'SeriesInstanceUID',
    sopInstanceUid ? null : 'SOPInstanceUID',
  ].filter((name): name is string => name !== null);
  if (missing.length > 0) return { ok: false, reason: `missing required DICOM identifiers (${missing.join(', ')})` };

  const rows = dataSet.uint16(TAG.rows);
  const columns = dataSet.uint16(TAG.columns);
  const bitsAllocated = dataSet.uint16(TAG.bitsAllocated);
  if (!rows || !columns) return { ok: false, reason: 'the image has no size (Rows/Columns missing or zero)' };
  if (!bitsAllocated) return { ok: false, reason: 'the image has no Bits Allocated value' };

  const text = textReaderFor(dataSet);
  const framesValue = firstNumber(dataSet, TAG.numberOfFrames);
  const numberOfFrames = framesValue !== null && framesValue >= 1 ? Math.floor(framesValue) : 1;
  const shared = firstItem(dataSet, TAG.sharedFunctionalGroups);
  const perFrameItems = dataSet.elements[TAG.perFrameFunctionalGroups]?.items ?? [];
  const enhanced = shared !== undefined || perFrameItems.length > 0;

  const base = {
    filePath,
    sopInstanceUid,
    sopClassUid,
    instanceNumber: firstNumber(dataSet, TAG.instanceNumber),
    acquisitionNumber: firstNumber(dataSet, TAG.acquisitionNumber),
    rows,
    columns,
    numberOfFrames,
    photometricInterpretation: trimmed(dataSet, TAG.photometricInterpretation).toUpperCase() || 'MONOCHROME2',
    bitsAllocated,
    bitsStored: dataSet.uint16(TAG.bitsStored) ?? bitsAllocated,
    pixelRepresentation: dataSet.uint16(TAG.pixelRepresentation) ?? 0,
    samplesPerPixel: dataSet.uint16(TAG.samplesPerPixel) ?? 1,
    transferSyntaxUid,
  };
  const topLevel = {
    position: vector3(dataSet, TAG.imagePositionPatient),
    orientation: orientation(dataSet, TAG.imageOrientationPatient),
    // CR/DX carry ImagerPixelSpacing only; it is the best size estimate they offer.
    pixelSpacing: spacing(dataSet, TAG.pixelSpacing) ?? spacing(dataSet, TAG.imagerPixelSpacing),
    sliceThickness: firstNumber(dataSet, TAG.sliceThickness),
    rescaleSlope: firstNumber(dataSet, TAG.rescaleSlope) ?? 1,
    rescaleIntercept: firstNumber(dataSet, TAG.rescaleIntercept) ?? 0,
    windowCenter: firstNumber(dataSet, TAG.windowCenter),
    windowWidth: firstNumber(dataSet, TAG.windowWidth),
  };

  const images: ImageRecord[] = [];
  for (let frame = 0; frame < numberOfFrames; frame += 1) {
    const perFrame = perFrameItems[frame]?.dataSet;
    const geometry = enhanced
      ? {
          position: fromGroups(perFrame, shared, TAG.planePositionSequence, (item) => vector3(item, TAG.imagePositionPatient)),
          orientation: fromGroups(perFrame, shared, TAG.planeOrientationSequence, (item) => orientation(item, TAG.imageOrientationPatient)),
          pixelSpacing: fromGroups(perFrame, shared, TAG.pixelMeasuresSequence, (item) => spacing(item, TAG.pixelSpacing)) ?? topLevel.pixelSpacing,
          sliceThickness: fromGroups(perFrame, shared, TAG.pixelMeasuresSequence, (item) => firstNumber(item, TAG.sliceThickness)) ?? topLevel.sliceThickness,
          rescaleSlope: fromGroups(perFrame, shared, TAG.pixelValueTransformationSequence, (item) => firstNumber(item, TAG.rescaleSlope)) ?? topLevel.rescaleSlope,
          rescaleIntercept:
            fromGroups(perFrame, shared, TAG.pixelValueTransformationSequence, (item) => firstNumber(item, TAG.rescaleIntercept)) ?? topLevel.rescaleIntercept,
          windowCenter: fromGroups(perFrame, shared, TAG.frameVoiLutSequence, (item) => firstNumber(item, TAG.windowCenter)) ?? topLevel.windowCenter,
          windowWidth: fromGroups(perFrame, shared, TAG.frameVoiLutSequence, (item) => firstNumber(item, TAG.windowWidth)) ?? topLevel.windowWidth,
        }
      : // A classic multi-frame file has one position for the whole file, not one per frame,
        // so its frames have no geometry of their own and are ordered by frame index.
        { ...topLevel, position: numberOfFrames > 1 ? null : topLevel.position };
    images.push({ ...base, ...geometry, frame: numberOfFrames > 1 ? frame : null });
  }

  return {
    ok: true,
    file: {
      study: {
        studyInstanceUid,
        // Trailing empty name components and groups ('^', '=') carry nothing.
        patientName: text(TAG.patientName).replace(/[=^]+$/u, ''),
        patientId: text(TAG.patientId),
        patientBirthDate: trimmed(dataSet, TAG.patientBirthDate),
        patientSex: trimmed(dataSet, TAG.patientSex),
        studyDate: trimmed(dataSet, TAG.studyDate),
        studyTime: trimmed(dataSet, TAG.studyTime),
        studyDescription: text(TAG.studyDescription),
        accessionNumber: trimmed(dataSet, TAG.accessionNumber),
      },
      series: {
        seriesInstanceUid,
        modality: trimmed(dataSet, TAG.modality).toUpperCase(),
        seriesDescription: text(TAG.seriesDescription),
        seriesNumber: firstNumber(dataSet, TAG.seriesNumber),
      },
      images,
    },
  };
}
