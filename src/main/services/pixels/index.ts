/**
 * Pixel decoding in plain Node: DICOM frames in every transfer syntax the analyzer
 * accepts (native, deflate, RLE, JPEG baseline 8-bit, JPEG Lossless, JPEG-LS,
 * JPEG 2000) and PNG / JPEG image files. No Electron, no DOM.
 */
import { readFile } from 'node:fs/promises';
import type { DataSet } from 'dicom-parser';
import { decodeFrame, type DecodedFrame } from './decode-frame';
import { parseDicomBytes, readPixelModule, type PixelModule } from './dicom-file';

export type { DecodedFrame, SampleArray } from './decode-frame';
export type { PixelModule } from './dicom-file';
export type { GreyImage } from './image-files';
export { decodeFrame } from './decode-frame';
export { parseDicomBytes, readPixelModule } from './dicom-file';
export { decodeImageBytes, decodePng, decodeJpegFile, isImageFilePath, lumaOf, readImageFileGrey } from './image-files';
export { SUPPORTED_TRANSFER_SYNTAXES, describeTransferSyntax, pixelEncodingOf } from './transfer-syntaxes';

export interface DicomFrame {
  dataSet: DataSet;
  module: PixelModule;
  frame: DecodedFrame;
}

/** Reads, parses and decodes frame `frameIndex` (0-based) of a DICOM file. Never writes to it. */
export async function readDicomFrame(path: string, frameIndex = 0): Promise<DicomFrame> {
  const bytes = new Uint8Array(await readFile(path));
  return decodeDicomBytes(bytes, frameIndex);
}

export async function decodeDicomBytes(bytes: Uint8Array, frameIndex = 0): Promise<DicomFrame> {
  const dataSet = parseDicomBytes(bytes);
  const module = readPixelModule(dataSet);
  const frame = await decodeFrame(dataSet, module, frameIndex);
  return { dataSet, module, frame };
}
