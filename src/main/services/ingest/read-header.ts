import { open, type FileHandle } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import type { DataSet, ParseDicomOptions } from 'dicom-parser';
import { dicomParser, parserErrorText } from './dicom-parser-runtime';

/**
 * Header reading. Most DICOM headers fit in a few kilobytes, so the first read takes
 * only FIRST_READ_BYTES and parsing stops at the Pixel Data tag; files whose header
 * is longer (big private sequences, enhanced multi-frame) are read again with 1 MiB,
 * then 16 MiB, then whole; deflated files end up read whole.
 * Files are opened read-only and never written.
 */
const FIRST_READ_BYTES = 32 * 1024;
const RETRY_READ_BYTES = [1024 * 1024, 16 * 1024 * 1024];
const PIXEL_DATA = 'x7fe00010';
const DEFLATED = '1.2.840.10008.1.2.1.99';

export type HeaderRead =
  | { ok: true; dataSet: DataSet; fileSize: number; pixelDataComplete: boolean }
  | { ok: false; reason: string };

function fail(reason: string): HeaderRead {
  return { ok: false, reason };
}

function inflater(array: Uint8Array, position: number): Uint8Array {
  const inflated = inflateRawSync(array.subarray(position));
  const whole = new Uint8Array(position + inflated.length);
  whole.set(array.subarray(0, position), 0);
  whole.set(inflated, position);
  return whole;
}

function tryParse(bytes: Uint8Array): { dataSet: DataSet } | { error: string } {
  try {
    const options = { untilTag: PIXEL_DATA, inflater } as ParseDicomOptions;
    return { dataSet: dicomParser.parseDicom(bytes, options) };
  } catch (error) {
    return { error: parserErrorText(error) };
  }
}

/** What a file that lacks the 'DICM' marker most likely is, in plain words. */
function notDicomReason(head: Uint8Array): string {
  const startsWith = (...bytes: number[]) => bytes.every((value, index) => head[index] === value);
  if (startsWith(0xff, 0xd8, 0xff)) return "not a DICOM file (it is a JPEG image)";
  if (startsWith(0x89, 0x50, 0x4e, 0x47)) return 'not a DICOM file (it is a PNG image)';
  if (startsWith(0x25, 0x50, 0x44, 0x46)) return 'not a DICOM file (it is a PDF document)';
  if (startsWith(0x50, 0x4b, 0x03, 0x04)) return 'not a DICOM file (it is a ZIP archive; extract it first)';
  // A raw data set starts with a group 0x0008 tag (little endian); no Part 10 wrapper.
  if (startsWith(0x08, 0x00) || startsWith(0x02, 0x00)) {
    return "DICOM data without the standard file header (no 'DICM' marker); export it again as a DICOM Part 10 file";
  }
  return "not a DICOM file (no 'DICM' marker at byte 128)";
}

async function readAt(handle: FileHandle, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

function describeIoError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  if (code === 'ENOENT') return 'disappeared while the folder was being read';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return `cannot be read (${code || parserErrorText(error)})`;
}

function plainParseError(error: string, truncated: boolean): string {
  if (truncated) return 'the file is truncated or corrupt: its DICOM header ends early';
  return `the DICOM header is corrupt (${error.replace(/^dicomParser[.:]\w*:\s*/u, '')})`;
}

/** Is the pixel data element complete? Only checkable for native (defined-length) pixel data. */
function pixelDataComplete(dataSet: DataSet, fileSize: number, wasDeflated: boolean): boolean {
  const element = dataSet.elements[PIXEL_DATA];
  if (!element) return false;
  if (wasDeflated) return true; // the inflater already failed on a short deflate stream
  if (element.hadUndefinedLength || element.length === 0xffffffff) return element.dataOffset < fileSize;
  return element.dataOffset + element.length <= fileSize;
}

export async function readHeader(path: string): Promise<HeaderRead> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return fail(describeIoError(error));
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return fail('empty file (0 bytes)');
    const head = await readAt(handle, Math.min(size, FIRST_READ_BYTES));
    if (head.length < 132) return fail(`not a DICOM file (only ${head.length} bytes, too short for a DICOM header)`);
    if (head[128] !== 0x44 || head[129] !== 0x49 || head[130] !== 0x43 || head[131] !== 0x4d) return fail(notDicomReason(head));
    // Escalate: long headers (enhanced multi-frame, big private blocks) usually fit in
    // a few MiB, so a 2 GB multi-frame file is not read whole just to learn its header.
    let parsed = tryParse(head);
    let readLength = head.length;
    for (const length of [...RETRY_READ_BYTES, size]) {
      const complete = !('error' in parsed) && parsed.dataSet.elements[PIXEL_DATA] !== undefined;
      if (complete || readLength >= size) break;
      if (length <= readLength) continue;
      readLength = Math.min(length, size);
      parsed = tryParse(await readAt(handle, readLength));
    }
    if ('error' in parsed) {
      const endsEarly = /overrun|eof|beyond|outside|out of range|offset|maxP ?osition/iu.test(parsed.error) || size <= 1024;
      return fail(plainParseError(parsed.error, endsEarly));
    }
    const wasDeflated = (parsed.dataSet.string('x00020010') ?? '').trim() === DEFLATED;
    return { ok: true, dataSet: parsed.dataSet, fileSize: size, pixelDataComplete: pixelDataComplete(parsed.dataSet, size, wasDeflated) };
  } catch (error) {
    return fail(describeIoError(error));
  } finally {
    await handle.close();
  }
}
