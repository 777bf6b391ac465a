import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { PNG } from 'pngjs';
import { decodeJpegBaseline8Bit } from './codecs';

/** An 8-bit grey image (row-major). */
export interface GreyImage {
  rows: number;
  columns: number;
  grey: Uint8Array;
}

export const IMAGE_FILE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

export function isImageFilePath(path: string): boolean {
  return (IMAGE_FILE_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

/** ITU-R 601-2 luma in PIL's fixed point (what `Image.convert('L')` computes). */
export function lumaOf(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

function rgbaToGrey(data: Uint8Array | Uint16Array, pixelCount: number): Uint8Array {
  const grey = new Uint8Array(pixelCount);
  for (let p = 0, i = 0; p < pixelCount; p++, i += 4) grey[p] = lumaOf(data[i]!, data[i + 1]!, data[i + 2]!);
  return grey;
}

/** 16-bit grey: linear min..max window, as the Python reference does for PIL's "I;16". */
function wideGreyToU8(values: Uint16Array, stride: number, pixelCount: number): Uint8Array {
  let min = Infinity;
  let max = -Infinity;
  for (let p = 0; p < pixelCount; p++) {
    const v = values[p * stride]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // Same float steps as the reference: centre = min + (max-min)/2, lo = centre - W/2.
  const width = Math.max(max - min, 1e-12);
  const lo = min + (max - min) / 2 - width / 2;
  const grey = new Uint8Array(pixelCount);
  for (let p = 0; p < pixelCount; p++) {
    const g = Math.floor(((values[p * stride]! - lo) * 255) / width + 0.5);
    grey[p] = g < 0 ? 0 : g > 255 ? 255 : g;
  }
  return grey;
}

export function decodePng(bytes: Uint8Array): GreyImage {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let png;
  try {
    png = PNG.sync.read(buffer, { skipRescale: true });
  } catch (error) {
    throw new Error(`Not a readable PNG file: ${error instanceof Error ? error.message : String(error)}`);
  }
  const pixelCount = png.width * png.height;
  const data = png.data as Buffer | Uint16Array;
  if (png.depth === 16 && !png.color) {
    return { rows: png.height, columns: png.width, grey: wideGreyToU8(data as Uint16Array, 4, pixelCount) };
  }
  if (png.depth === 16) {
    // 16-bit colour is rare for radiographs; PIL reduces it to 8 bits by dropping the low byte.
    const wide = data as Uint16Array;
    const narrow = new Uint8Array(wide.length);
    for (let i = 0; i < wide.length; i++) narrow[i] = wide[i]! >> 8;
    return { rows: png.height, columns: png.width, grey: rgbaToGrey(narrow, pixelCount) };
  }
  // pngjs expands grey, palette and low bit depths to 8-bit RGBA; grey stays exact through
  // the luma formula (R = G = B = v gives v).
  return { rows: png.height, columns: png.width, grey: rgbaToGrey(data as Uint8Array, pixelCount) };
}

export async function decodeJpegFile(bytes: Uint8Array): Promise<GreyImage> {
  const output = await decodeJpegBaseline8Bit(bytes);
  const pixelCount = output.width * output.height;
  if (output.componentCount === 1) return { rows: output.height, columns: output.width, grey: output.bytes };
  if (output.componentCount !== 3) throw new Error(`JPEG with ${output.componentCount} components is not supported.`);
  const grey = new Uint8Array(pixelCount);
  const rgb = output.bytes;
  for (let p = 0, i = 0; p < pixelCount; p++, i += 3) grey[p] = lumaOf(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!);
  return { rows: output.height, columns: output.width, grey };
}

/** Reads a PNG or JPEG file as 8-bit grey (docs/model-contract.md section 1). */
export async function readImageFileGrey(path: string): Promise<GreyImage> {
  return decodeImageBytes(new Uint8Array(await readFile(path)));
}

/** PNG or JPEG bytes (recognised by signature, not by file name) as 8-bit grey. */
export async function decodeImageBytes(bytes: Uint8Array): Promise<GreyImage> {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (isPng) return decodePng(bytes);
  if (isJpeg) return decodeJpegFile(bytes);
  throw new Error('Not a PNG or JPEG image.');
}
