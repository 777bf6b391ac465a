import { readFile } from 'node:fs/promises';
import { decodeDicomBytes, decodeImageBytes } from '../../pixels';
import { dicomToDisplayU8, isCtModality } from '../preprocess';
import type { Preprocessing } from '../manifest';
import type { SliceInput } from '../types';

export interface DisplaySlice {
  rows: number;
  columns: number;
  /** The 8-bit display image G of the model contract. */
  grey: Uint8Array;
  /**
   * G is HU through the manifest's CT window (a monochrome CT DICOM frame), so grey levels
   * mean densities (the anatomical gate relies on that). False for PNG/JPEG files, colour
   * DICOM and X-rays.
   */
  huWindowed: boolean;
}

/** Decodes slices to display images on demand, once each, until released. */
export class SliceLoader {
  private readonly pending = new Map<number, Promise<DisplaySlice>>();
  /** Time spent decoding and windowing (CPU on this thread; file reads not included). */
  decodeMs = 0;

  constructor(
    private readonly slices: readonly SliceInput[],
    private readonly preprocessing: Preprocessing,
  ) {}

  load(index: number): Promise<DisplaySlice> {
    let pending = this.pending.get(index);
    if (!pending) {
      pending = this.decode(index);
      this.pending.set(index, pending);
    }
    return pending;
  }

  release(index: number): void {
    this.pending.delete(index);
  }

  private async decode(index: number): Promise<DisplaySlice> {
    const slice = this.slices[index];
    if (!slice) throw new Error(`No slice ${index}.`);
    const bytes = new Uint8Array(await readFile(slice.path));
    const started = performance.now();
    try {
      if (slice.source === 'image') return { ...(await decodeImageBytes(bytes)), huWindowed: false };
      const { module, frame } = await decodeDicomBytes(bytes, slice.frame ?? 0);
      const grey = dicomToDisplayU8(frame, module, this.preprocessing.ctWindow);
      // The conditions under which dicomToDisplayU8 applies the CT window to rescaled values.
      const huWindowed = isCtModality(module.modality) && frame.samplesPerPixel === 1 && frame.photometricInterpretation.startsWith('MONOCHROME');
      return { rows: frame.rows, columns: frame.columns, grey, huWindowed };
    } finally {
      this.decodeMs += performance.now() - started;
    }
  }
}
