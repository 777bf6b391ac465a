/**
 * Bilinear resize with half-pixel centres (PyTorch align_corners=False, no antialias),
 * written out because the contract needs the exact float64 arithmetic of the Python
 * reference (docs/model-contract.md 2.1), which no image library guarantees.
 */
export interface AxisWeights {
  i0: Int32Array;
  i1: Int32Array;
  w: Float64Array;
}

const axisCache = new Map<string, AxisWeights>();

export function axisWeights(inSize: number, outSize: number): AxisWeights {
  const key = `${inSize}>${outSize}`;
  const cached = axisCache.get(key);
  if (cached) return cached;
  const scale = inSize / outSize;
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const src = Math.max((i + 0.5) * scale - 0.5, 0);
    const lower = Math.floor(src);
    i0[i] = lower;
    i1[i] = Math.min(lower + 1, inSize - 1);
    w[i] = src - lower;
  }
  const weights = { i0, i1, w };
  if (axisCache.size > 64) axisCache.clear();
  axisCache.set(key, weights);
  return weights;
}

/** Float map (e.g. a probability plane at `offset` inside a batch tensor) -> outRows x outCols float64, no rounding. */
export function resizeFloat(src: ArrayLike<number>, inRows: number, inCols: number, outRows: number, outCols: number, offset = 0): Float64Array {
  const ys = axisWeights(inRows, outRows);
  const xs = axisWeights(inCols, outCols);
  const out = new Float64Array(outRows * outCols);
  for (let y = 0; y < outRows; y++) {
    const wy = ys.w[y]!;
    const row0 = offset + ys.i0[y]! * inCols;
    const row1 = offset + ys.i1[y]! * inCols;
    const base = y * outCols;
    for (let x = 0; x < outCols; x++) {
      const wx = xs.w[x]!;
      const x0 = xs.i0[x]!;
      const x1 = xs.i1[x]!;
      // Same operation order as the reference: (1-wy)*((1-wx)*a + wx*b) + wy*((1-wx)*c + wx*d).
      out[base + x] =
        (1 - wy) * ((1 - wx) * src[row0 + x0]! + wx * src[row0 + x1]!) + wy * ((1 - wx) * src[row1 + x0]! + wx * src[row1 + x1]!);
    }
  }
  return out;
}

/** uint8 -> size x size uint8 (floor(v + 0.5)). */
export function resizeU8(src: Uint8Array, rows: number, columns: number, size: number): Uint8Array {
  const values = resizeFloat(src, rows, columns, size, size);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const g = Math.floor(values[i]! + 0.5);
    out[i] = g < 0 ? 0 : g > 255 ? 255 : g;
  }
  return out;
}
