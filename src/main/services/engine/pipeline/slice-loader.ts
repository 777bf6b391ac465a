import { readFile } from 'node:fs/promises';
import { decodeDicomBytes, decodeImageBytes } from '../../pixels';
import { dicomToDisplayU8 } from '../preprocess';
import type { Preprocessing } from '../manifest';
import type { SliceInput } from '../types';

export interface DisplaySlice {
  rows: number;
  columns: number;
  /** The 8-bit display image G of the model contract. */
  grey: Uint8Array;
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
      if (slice.source === 'image') return await decodeImageBytes(bytes);
      const { module, frame } = await decodeDicomBytes(bytes, slice.frame ?? 0);
      return { rows: frame.rows, columns: frame.columns, grey: dicomToDisplayU8(frame, module, this.preprocessing.ctWindow) };
    } finally {
      this.decodeMs += performance.now() - started;
    }
  }
}
