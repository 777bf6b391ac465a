import type { Preprocessing, ResolvedModel } from '../manifest';
import { normalizeInto, prepareU8 } from '../preprocess';
import type { SeriesInput, SkippedInput } from '../types';
import { SliceLoader, type DisplaySlice } from './slice-loader';

export interface PreparedBatch {
  /** Series indices of the slices that decoded. */
  indices: number[];
  slices: DisplaySlice[];
  /** One NCHW tensor per (size x channels) the batch's models need. */
  tensors: Map<string, Float32Array>;
}

const tensorKey = (model: ResolvedModel) => `${model.input.size}x${model.input.channels}`;

/**
 * Decodes and preprocesses batches of a series. A slice that cannot be decoded (or, in a
 * CT series, whose size differs from the rest: masks form one volume) is reported in
 * `skipped` and left out; it never fails the series.
 */
export class BatchPreparer {
  readonly skipped: SkippedInput[] = [];
  readonly sizes = new Map<number, { rows: number; columns: number }>();
  grid: { rows: number; columns: number } | null = null;
  private readonly failed = new Set<number>();
  private readonly loader: SliceLoader;
  private prepareMs = 0;

  constructor(
    private readonly series: SeriesInput,
    private readonly preprocessing: Preprocessing,
    private readonly oneGrid: boolean,
  ) {
    this.loader = new SliceLoader(series.slices, preprocessing);
  }

  /** Decode + preprocess time on this thread (file reads excluded). */
  get busyMs(): number {
    return this.loader.decodeMs + this.prepareMs;
  }

  isUsable(index: number): boolean {
    return !this.failed.has(index);
  }

  release(index: number): void {
    this.loader.release(index);
  }

  async prepare(indices: readonly number[], models: readonly ResolvedModel[]): Promise<PreparedBatch> {
    const usable: number[] = [];
    const slices: DisplaySlice[] = [];
    for (const index of indices) {
      const slice = await this.load(index);
      if (slice) {
        usable.push(index);
        slices.push(slice);
      }
    }
    const started = performance.now();
    const tensors = new Map<string, Float32Array>();
    const resized = new Map<number, Uint8Array[]>();
    const { mean, std } = this.preprocessing.normalize;
    for (const model of models) {
      const key = tensorKey(model);
      if (tensors.has(key)) continue;
      const { size, channels } = model.input;
      // Resize + CLAHE depends on the size only: one u8 image per size, shared by channel counts.
      let images = resized.get(size);
      if (!images) {
        images = slices.map((slice) => prepareU8(slice.grey, slice.rows, slice.columns, size, this.preprocessing));
        resized.set(size, images);
      }
      const tensor = new Float32Array(slices.length * channels * size * size);
      images.forEach((u8, b) => normalizeInto(u8, channels, mean, std, tensor, b));
      tensors.set(key, tensor);
    }
    this.prepareMs += performance.now() - started;
    return { indices: usable, slices, tensors };
  }

  tensorFor(batch: PreparedBatch, model: ResolvedModel): Float32Array {
    const tensor = batch.tensors.get(tensorKey(model));
    if (!tensor) throw new Error(`No ${tensorKey(model)} tensor was prepared for ${model.id}.`);
    return tensor;
  }

  private async load(index: number): Promise<DisplaySlice | null> {
    if (this.failed.has(index)) return null;
    try {
      const slice = await this.loader.load(index);
      this.sizes.set(index, { rows: slice.rows, columns: slice.columns });
      this.grid ??= { rows: slice.rows, columns: slice.columns };
      if (this.oneGrid && (slice.rows !== this.grid.rows || slice.columns !== this.grid.columns)) {
        throw new Error(`Its size ${slice.columns}x${slice.rows} differs from the series (${this.grid.columns}x${this.grid.rows}).`);
      }
      return slice;
    } catch (error) {
      this.failed.add(index);
      this.loader.release(index);
      this.skipped.push({ path: this.series.slices[index]!.path, reason: error instanceof Error ? error.message : String(error) });
      return null;
    }
  }
}
