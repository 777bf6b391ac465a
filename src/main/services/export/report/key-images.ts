import { PNG } from 'pngjs';
import { readDicomFrame } from '../../pixels';

export interface KeyImageOverlay {
  /** One slice, rows x columns; nonzero = inside. */
  mask: Uint8Array;
  colourRgb: readonly [number, number, number];
  style: 'fill' | 'outline';
}

export interface KeyImageRequest {
  dicomPath: string;
  /** 0-based frame of a multi-frame file. */
  frame: number | null;
  /** A CT window in HU; 'auto' uses the file's own window, else the slice's range. */
  window: { center: number; width: number } | 'auto';
  overlays: KeyImageOverlay[];
  /** Longest side of the PNG (the slice is box-averaged down to it). */
  maxSize: number;
}

const FILL_ALPHA = 0.45;

function autoWindow(
  samples: ArrayLike<number>,
  module: { rescaleSlope: number; rescaleIntercept: number; windowCenter: number | null; windowWidth: number | null },
): { center: number; width: number } {
  if (module.windowCenter !== null && module.windowWidth !== null && module.windowWidth > 0) {
    return { center: module.windowCenter, width: module.windowWidth };
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < samples.length; i++) {
    const value = samples[i]! * module.rescaleSlope + module.rescaleIntercept;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { center: (min + max) / 2, width: Math.max(1, max - min) };
}

function isEdge(mask: Uint8Array, rows: number, columns: number, index: number): boolean {
  if (!mask[index]) return false;
  const r = Math.floor(index / columns);
  const c = index % columns;
  return r === 0 || c === 0 || r === rows - 1 || c === columns - 1 || !mask[index - 1] || !mask[index + 1] || !mask[index - columns] || !mask[index + columns];
}

/**
 * A key image: the CT slice in a chosen window with masks drawn over it, as PNG.
 * Rendered in Node (pixels service + pngjs) so the PDF needs no viewer state.
 */
export async function renderKeyImage(request: KeyImageRequest): Promise<Uint8Array> {
  const { module, frame } = await readDicomFrame(request.dicomPath, request.frame ?? 0);
  const { rows, columns } = frame;
  if (frame.samplesPerPixel !== 1) throw new Error('Key images are drawn from greyscale slices only.');
  const window = request.window === 'auto' ? autoWindow(frame.samples, module) : request.window;
  const low = window.center - window.width / 2;
  const rgb = new Float32Array(rows * columns * 3);
  const invert = frame.photometricInterpretation === 'MONOCHROME1';
  for (let i = 0; i < rows * columns; i++) {
    const value = frame.samples[i]! * module.rescaleSlope + module.rescaleIntercept;
    let grey = Math.max(0, Math.min(1, (value - low) / window.width)) * 255;
    if (invert) grey = 255 - grey;
    rgb[i * 3] = grey;
    rgb[i * 3 + 1] = grey;
    rgb[i * 3 + 2] = grey;
  }
  for (const overlay of request.overlays) {
    const [r, g, b] = overlay.colourRgb;
    for (let i = 0; i < rows * columns; i++) {
      const draw = overlay.style === 'fill' ? overlay.mask[i] !== 0 : isEdge(overlay.mask, rows, columns, i);
      if (!draw) continue;
      const alpha = overlay.style === 'fill' ? FILL_ALPHA : 1;
      rgb[i * 3] = rgb[i * 3]! * (1 - alpha) + r * alpha;
      rgb[i * 3 + 1] = rgb[i * 3 + 1]! * (1 - alpha) + g * alpha;
      rgb[i * 3 + 2] = rgb[i * 3 + 2]! * (1 - alpha) + b * alpha;
    }
  }
  const factor = Math.max(1, Math.ceil(Math.max(rows, columns) / request.maxSize));
  const outRows = Math.floor(rows / factor);
  const outColumns = Math.floor(columns / factor);
  const png = new PNG({ width: outColumns, height: outRows, colorType: 2 });
  for (let y = 0; y < outRows; y++) {
    for (let x = 0; x < outColumns; x++) {
      const sum = [0, 0, 0];
      for (let dy = 0; dy < factor; dy++) {
        for (let dx = 0; dx < factor; dx++) {
          const source = ((y * factor + dy) * columns + (x * factor + dx)) * 3;
          sum[0]! += rgb[source]!;
          sum[1]! += rgb[source + 1]!;
          sum[2]! += rgb[source + 2]!;
        }
      }
      const target = (y * outColumns + x) * 4;
      const n = factor * factor;
      png.data[target] = Math.round(sum[0]! / n);
      png.data[target + 1] = Math.round(sum[1]! / n);
      png.data[target + 2] = Math.round(sum[2]! / n);
      png.data[target + 3] = 255;
    }
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}
