import { inflateRawSync } from 'node:zlib';
import type { DataSet, ParseDicomOptions } from 'dicom-parser';
import { dicomParser } from './dicom-parser-runtime';

/** The Image Pixel module and the attributes that turn stored values into display values. */
export interface PixelModule {
  transferSyntaxUid: string;
  modality: string;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  photometricInterpretation: string;
  planarConfiguration: number;
  numberOfFrames: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** First WindowCenter / WindowWidth values, when present. */
  windowCenter: number | null;
  windowWidth: number | null;
}

/** Parses a Part 10 file (deflated ones included). Throws a readable error on garbage. */
export function parseDicomBytes(bytes: Uint8Array): DataSet {
  try {
    return dicomParser.parseDicom(bytes, {
      inflater: (array: Uint8Array, position: number) => {
        const inflated = inflateRawSync(array.subarray(position));
        const whole = new Uint8Array(position + inflated.length);
        whole.set(array.subarray(0, position), 0);
        whole.set(inflated, position);
        return whole;
      },
    } satisfies ParseDicomOptions);
  } catch (error) {
    // dicom-parser throws strings, or objects carrying `exception`.
    const reason =
      typeof error === 'string'
        ? error
        : error instanceof Error
          ? error.message
          : typeof error === 'object' && error !== null && 'exception' in error
            ? String((error as { exception: unknown }).exception)
            : String(error);
    // A header that promises more bytes than the file has: the usual sign of a cut copy.
    if (/buffer overrun/i.test(reason)) throw new Error(`The DICOM file is truncated or damaged (${reason}).`);
    throw new Error(`Not a readable DICOM file: ${reason}`);
  }
}

function firstNumber(dataSet: DataSet, tag: string): number | null {
  const text = dataSet.string(tag);
  if (text === undefined || text.trim() === '') return null;
  const value = Number.parseFloat(text.split('\\')[0] ?? '');
  return Number.isFinite(value) ? value : null;
}

function requiredUint16(dataSet: DataSet, tag: string, name: string): number {
  const value = dataSet.uint16(tag);
  if (value === undefined) throw new Error(`The file has no ${name} (${tag}).`);
  return value;
}

export function readPixelModule(dataSet: DataSet): PixelModule {
  if (!dataSet.elements['x7fe00010']) throw new Error('The file has no pixel data.');
  const bitsAllocated = requiredUint16(dataSet, 'x00280100', 'Bits Allocated');
  const frames = firstNumber(dataSet, 'x00280008');
  return {
    transferSyntaxUid: (dataSet.string('x00020010') ?? '1.2.840.10008.1.2').trim(),
    modality: (dataSet.string('x00080060') ?? '').trim().toUpperCase(),
    rows: requiredUint16(dataSet, 'x00280010', 'Rows'),
    columns: requiredUint16(dataSet, 'x00280011', 'Columns'),
    samplesPerPixel: dataSet.uint16('x00280002') ?? 1,
    bitsAllocated,
    bitsStored: dataSet.uint16('x00280101') ?? bitsAllocated,
    pixelRepresentation: dataSet.uint16('x00280103') ?? 0,
    photometricInterpretation: (dataSet.string('x00280004') ?? 'MONOCHROME2').trim().toUpperCase(),
    planarConfiguration: dataSet.uint16('x00280006') ?? 0,
    numberOfFrames: frames !== null && frames >= 1 ? Math.floor(frames) : 1,
    rescaleSlope: firstNumber(dataSet, 'x00281053') ?? 1,
    rescaleIntercept: firstNumber(dataSet, 'x00281052') ?? 0,
    windowCenter: firstNumber(dataSet, 'x00281050'),
    windowWidth: firstNumber(dataSet, 'x00281051'),
  };
}

/** The encoded bytes of one frame of encapsulated pixel data (dicom-parser's fragment logic). */
export function encapsulatedFrame(dataSet: DataSet, frameIndex: number, numberOfFrames: number): Uint8Array {
  const element = dataSet.elements['x7fe00010'];
  if (!element?.fragments || element.fragments.length === 0) throw new Error('Encapsulated pixel data has no fragments.');
  if (element.basicOffsetTable && element.basicOffsetTable.length > 0) {
    return dicomParser.readEncapsulatedImageFrame(dataSet, element, frameIndex);
  }
  if (numberOfFrames === 1) {
    return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, element.fragments.length);
  }
  if (element.fragments.length === numberOfFrames) {
    return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, frameIndex, 1);
  }
  // No offset table and several fragments per frame: find frame starts by JPEG markers.
  const table = dicomParser.createJPEGBasicOffsetTable(dataSet, element);
  return dicomParser.readEncapsulatedImageFrame(dataSet, element, frameIndex, table);
}

/** The bytes of one native (uncompressed) frame. */
export function nativeFrame(dataSet: DataSet, module: PixelModule, frameIndex: number): Uint8Array {
  const element = dataSet.elements['x7fe00010'];
  if (!element) throw new Error('The file has no pixel data.');
  if (module.bitsAllocated === 1) throw new Error('1-bit pixel data is not supported for analysis.');
  const frameBytes = (module.rows * module.columns * module.samplesPerPixel * module.bitsAllocated) / 8;
  const start = element.dataOffset + frameIndex * frameBytes;
  const end = start + frameBytes;
  if (frameIndex >= module.numberOfFrames || end > dataSet.byteArray.length || end > element.dataOffset + element.length + 1) {
    throw new Error(`Pixel data is too short for frame ${frameIndex + 1} (truncated file?).`);
  }
  return dataSet.byteArray.subarray(start, end);
}
