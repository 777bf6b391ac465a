import type { DecodedFrame, PixelModule } from '../../pixels';
import { lumaOf } from '../../pixels';

/**
 * Step 1 of docs/model-contract.md: source pixels to the 8-bit display image G.
 * All arithmetic in float64 in the reference's order, so results are bit-identical.
 */
export interface Window {
  center: number;
  width: number;
}

/** G = clamp(floor((v - lo) * 255 / W + 0.5), 0, 255), lo = C - W/2. */
export function windowToU8(values: ArrayLike<number>, center: number, width: number, out = new Uint8Array(values.length)): Uint8Array {
  const lo = center - width / 2;
  for (let i = 0; i < values.length; i++) {
    const g = Math.floor(((values[i]! - lo) * 255) / width + 0.5);
    out[i] = g < 0 ? 0 : g > 255 ? 255 : g;
  }
  return out;
}

function rescaled(frame: DecodedFrame, module: PixelModule): Float64Array {
  const values = new Float64Array(frame.rows * frame.columns);
  const samples = frame.samples;
  const slope = module.rescaleSlope;
  const intercept = module.rescaleIntercept;
  for (let i = 0; i < values.length; i++) values[i] = samples[i]! * slope + intercept;
  return values;
}

/** A DICOM frame is CT (window from the manifest) when its Modality is CT; otherwise X-ray rules. */
export function isCtModality(modality: string): boolean {
  return modality.toUpperCase() === 'CT';
}

export function dicomToDisplayU8(frame: DecodedFrame, module: PixelModule, ctWindow: Window): Uint8Array {
  const pixelCount = frame.rows * frame.columns;
  if (frame.samplesPerPixel === 3 && frame.photometricInterpretation === 'RGB') {
    // Colour DICOM (screenshots, some secondary captures): grey as for colour image files.
    const grey = new Uint8Array(pixelCount);
    const s = frame.samples;
    for (let p = 0, i = 0; p < pixelCount; p++, i += 3) grey[p] = lumaOf(s[i]!, s[i + 1]!, s[i + 2]!);
    return grey;
  }
  if (frame.samplesPerPixel !== 1 || !frame.photometricInterpretation.startsWith('MONOCHROME')) {
    throw new Error(`Photometric interpretation ${frame.photometricInterpretation} is not supported for analysis.`);
  }
  const values = rescaled(frame, module);
  if (isCtModality(module.modality)) return windowToU8(values, ctWindow.center, ctWindow.width);
  let grey: Uint8Array;
  if (module.windowCenter !== null && module.windowWidth !== null && module.windowWidth > 0) {
    grey = windowToU8(values, module.windowCenter, module.windowWidth);
  } else {
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const width = Math.max(max - min, 1e-12);
    grey = windowToU8(values, min + width / 2, width);
  }
  if (frame.photometricInterpretation === 'MONOCHROME1') for (let i = 0; i < grey.length; i++) grey[i] = 255 - grey[i]!;
  return grey;
}
