import type { DataSet } from 'dicom-parser';
import { decodeJpeg2000, decodeJpegBaseline8Bit, decodeJpegLossless, decodeJpegLs, type CodecOutput } from './codecs';
import { encapsulatedFrame, nativeFrame, type PixelModule } from './dicom-file';
import { decodeRle } from './rle';
import { describeTransferSyntax, pixelEncodingOf } from './transfer-syntaxes';

export type SampleArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** One decoded frame: stored values (before Modality LUT), samples interleaved. */
export interface DecodedFrame {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  /**
   * Photometric interpretation of `samples`. JPEG baseline colour frames come out of
   * libjpeg-turbo as RGB whatever the header said (YBR is converted by the codec).
   */
  photometricInterpretation: string;
  samples: SampleArray;
}

/**
 * Turns little-endian sample bytes into stored values: keeps the BitsStored low bits and
 * sign-extends them when PixelRepresentation = 1 (bits above HighBit are not pixel data).
 */
function toSamples(bytes: Uint8Array, bytesPerSample: number, bitsStored: number, signed: boolean): SampleArray {
  const count = Math.floor(bytes.length / bytesPerSample);
  // Copy into an aligned buffer: frame bytes inside a file are not necessarily aligned.
  const aligned = new Uint8Array(count * bytesPerSample);
  aligned.set(bytes.subarray(0, count * bytesPerSample));
  const raw =
    bytesPerSample === 1
      ? new Uint8Array(aligned.buffer)
      : bytesPerSample === 2
        ? new Uint16Array(aligned.buffer)
        : new Uint32Array(aligned.buffer);
  const bitsInSample = bytesPerSample * 8;
  const stored = Math.min(bitsStored, bitsInSample);
  const out: SampleArray =
    bytesPerSample === 1
      ? signed ? new Int8Array(count) : new Uint8Array(count)
      : bytesPerSample === 2
        ? signed ? new Int16Array(count) : new Uint16Array(count)
        : signed ? new Int32Array(count) : new Uint32Array(count);
  if (stored === bitsInSample) {
    // Reinterpretation is enough: the typed array does the two's complement.
    out.set(signed ? (bytesPerSample === 1 ? new Int8Array(aligned.buffer) : bytesPerSample === 2 ? new Int16Array(aligned.buffer) : new Int32Array(aligned.buffer)) : raw);
    return out;
  }
  const range = 2 ** stored;
  const mask = range - 1;
  const signBit = range / 2;
  if (signed) {
    for (let i = 0; i < count; i++) {
      const value = raw[i]! & mask;
      out[i] = value >= signBit ? value - range : value;
    }
  } else {
    for (let i = 0; i < count; i++) out[i] = raw[i]! & mask;
  }
  return out;
}

function swapBytes(bytes: Uint8Array, bytesPerSample: number): Uint8Array {
  if (bytesPerSample === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + bytesPerSample <= bytes.length; i += bytesPerSample) {
    for (let b = 0; b < bytesPerSample; b++) out[i + b] = bytes[i + bytesPerSample - 1 - b]!;
  }
  return out;
}

/** Planar (RRR..GGG..BBB) to interleaved (RGBRGB..). */
function interleave(bytes: Uint8Array, pixelCount: number, samplesPerPixel: number, bytesPerSample: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let s = 0; s < samplesPerPixel; s++) {
    for (let p = 0; p < pixelCount; p++) {
      for (let b = 0; b < bytesPerSample; b++) {
        out[(p * samplesPerPixel + s) * bytesPerSample + b] = bytes[(s * pixelCount + p) * bytesPerSample + b]!;
      }
    }
  }
  return out;
}

function checkCodecGeometry(output: CodecOutput, module: PixelModule): void {
  if (output.width !== module.columns || output.height !== module.rows) {
    throw new Error(`Compressed frame is ${output.width}x${output.height}, the header says ${module.columns}x${module.rows}.`);
  }
}

/**
 * Decodes one frame of a parsed DICOM file to stored values. Every failure is an Error
 * with a message a user can act on (unsupported transfer syntax, truncated data, ...).
 */
export async function decodeFrame(dataSet: DataSet, module: PixelModule, frameIndex: number): Promise<DecodedFrame> {
  if (frameIndex < 0 || frameIndex >= module.numberOfFrames) {
    throw new Error(`Frame ${frameIndex + 1} does not exist (the file has ${module.numberOfFrames}).`);
  }
  const encoding = pixelEncodingOf(module.transferSyntaxUid);
  if (!encoding) throw new Error(`Unsupported transfer syntax ${describeTransferSyntax(module.transferSyntaxUid)}.`);
  const bytesPerSample = Math.ceil(module.bitsAllocated / 8);
  const signed = module.pixelRepresentation === 1;
  const pixelCount = module.rows * module.columns;
  const frame = (bytes: Uint8Array, photometric = module.photometricInterpretation, spp = module.samplesPerPixel, bps = bytesPerSample): DecodedFrame => ({
    rows: module.rows,
    columns: module.columns,
    samplesPerPixel: spp,
    photometricInterpretation: photometric,
    samples: toSamples(bytes, bps, module.bitsStored, signed),
  });

  switch (encoding) {
    case 'native-little':
    case 'deflate':
    case 'native-big': {
      let bytes = nativeFrame(dataSet, module, frameIndex);
      if (encoding === 'native-big') bytes = swapBytes(bytes, bytesPerSample);
      if (module.samplesPerPixel > 1 && module.planarConfiguration === 1) {
        bytes = interleave(bytes, pixelCount, module.samplesPerPixel, bytesPerSample);
      }
      return frame(bytes);
    }
    case 'rle': {
      const bytes = decodeRle(encapsulatedFrame(dataSet, frameIndex, module.numberOfFrames), module.rows, module.columns, module.samplesPerPixel, module.bitsAllocated);
      return frame(bytes);
    }
    case 'jpeg-ls':
    case 'jpeg-2000': {
      const encoded = encapsulatedFrame(dataSet, frameIndex, module.numberOfFrames);
      const output = encoding === 'jpeg-ls' ? await decodeJpegLs(encoded) : await decodeJpeg2000(encoded);
      checkCodecGeometry(output, module);
      const codecBytesPerSample = output.bitsPerSample > 8 ? 2 : 1;
      return frame(output.bytes, module.photometricInterpretation, output.componentCount, codecBytesPerSample);
    }
    case 'jpeg-baseline-8bit': {
      const output = await decodeJpegBaseline8Bit(encapsulatedFrame(dataSet, frameIndex, module.numberOfFrames));
      checkCodecGeometry(output, module);
      // libjpeg-turbo converts YCbCr to RGB itself.
      return frame(output.bytes, output.componentCount === 3 ? 'RGB' : module.photometricInterpretation, output.componentCount, 1);
    }
    case 'jpeg-lossless': {
      const bytes = await decodeJpegLossless(encapsulatedFrame(dataSet, frameIndex, module.numberOfFrames), bytesPerSample > 1 ? 2 : 1);
      return frame(bytes);
    }
  }
}
