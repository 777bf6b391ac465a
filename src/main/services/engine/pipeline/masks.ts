import { axisWeights } from '../preprocess';

/**
 * Section 3 of the model contract: probability maps back to the source grid (bilinear
 * half-pixel, float64, no rounding), then threshold (binary streams) or argmax
 * (all-class). This runs for every slice and stream (4 x 512 x 512 values per slice for
 * the all-class model), so it skips the arithmetic wherever the answer is already
 * decided, without changing any result: a bilinear value is a convex combination of its
 * four source corners, so it lies between their minimum and maximum. Per source cell
 * (a corner and its right/lower neighbours, clamped like the resize), if all four corners
 * are below the threshold every output pixel in it is 0, if all are at or above it 1;
 * for argmax, if one class's smallest corner beats every other class's largest corner,
 * that class wins the whole cell. Only the remaining pixels are interpolated, with the
 * contract's formula in its exact order of operations.
 */

const UNDECIDED = 255;

function interpolate(p: Float32Array, a: number, b: number, c: number, d: number, wx: number, wy: number): number {
  return (1 - wy) * ((1 - wx) * p[a]! + wx * p[b]!) + wy * ((1 - wx) * p[c]! + wx * p[d]!);
}

/** Cell (r, c) -> the decided label, or UNDECIDED, for `decide(r0, r1, c0, c1)` over all cells. */
function cellDecisions(size: number, decide: (r0: number, r1: number, c0: number, c1: number) => number): Uint8Array {
  const cells = new Uint8Array(size * size);
  for (let r = 0; r < size; r++) {
    const r1 = Math.min(r + 1, size - 1);
    for (let c = 0; c < size; c++) cells[r * size + c] = decide(r * size, r1 * size, c, Math.min(c + 1, size - 1));
  }
  return cells;
}

/** Bilinear taps of one output pixel: the two source rows' start indices (slice offset included), the two source columns and their weights. */
type ResolvePixel = (row0: number, row1: number, x0: number, x1: number, wx: number, wy: number) => number;

/**
 * Writes every output pixel of one slice (probabilities from `offset`): the cell's decided label where it has one, else
 * `resolve` (the exact interpolation). Returns the number of non-zero pixels written.
 */
function fillFromCells(
  cells: Uint8Array,
  offset: number,
  size: number,
  rows: number,
  columns: number,
  target: Uint8Array,
  targetOffset: number,
  resolve: ResolvePixel,
): number {
  const ys = axisWeights(size, rows);
  const xs = axisWeights(size, columns);
  let nonZero = 0;
  for (let y = 0; y < rows; y++) {
    const cellRow = ys.i0[y]! * size;
    const row0 = offset + ys.i0[y]! * size;
    const row1 = offset + ys.i1[y]! * size;
    const wy = ys.w[y]!;
    const base = targetOffset + y * columns;
    for (let x = 0; x < columns; x++) {
      let label = cells[cellRow + xs.i0[x]!]!;
      if (label === UNDECIDED) label = resolve(row0, row1, xs.i0[x]!, xs.i1[x]!, xs.w[x]!, wy);
      target[base + x] = label;
      if (label !== 0) nonZero++;
    }
  }
  return nonZero;
}

export function binaryMask(
  probabilities: Float32Array,
  offset: number,
  size: number,
  rows: number,
  columns: number,
  threshold: number,
  target: Uint8Array,
  targetOffset: number,
): number {
  const p = probabilities;
  const cells = cellDecisions(size, (r0, r1, c0, c1) => {
    const a = p[offset + r0 + c0]!;
    const b = p[offset + r0 + c1]!;
    const c = p[offset + r1 + c0]!;
    const d = p[offset + r1 + c1]!;
    if (a < threshold && b < threshold && c < threshold && d < threshold) return 0;
    if (a >= threshold && b >= threshold && c >= threshold && d >= threshold) return 1;
    return UNDECIDED;
  });
  return fillFromCells(cells, offset, size, rows, columns, target, targetOffset, (row0, row1, x0, x1, wx, wy) =>
    interpolate(p, row0 + x0, row0 + x1, row1 + x0, row1 + x1, wx, wy) >= threshold ? 1 : 0,
  );
}

/** Argmax over `classes` planes (first maximum wins, as numpy's argmax). */
export function argmaxMask(
  probabilities: Float32Array,
  offset: number,
  classes: number,
  size: number,
  rows: number,
  columns: number,
  target: Uint8Array,
  targetOffset: number,
): void {
  const p = probabilities;
  const plane = size * size;
  const lows = new Float64Array(classes);
  const highs = new Float64Array(classes);
  const cells = cellDecisions(size, (r0, r1, c0, c1) => {
    for (let k = 0; k < classes; k++) {
      const o = offset + k * plane;
      const a = p[o + r0 + c0]!;
      const b = p[o + r0 + c1]!;
      const c = p[o + r1 + c0]!;
      const d = p[o + r1 + c1]!;
      lows[k] = Math.min(a, b, c, d);
      highs[k] = Math.max(a, b, c, d);
    }
    let winner = 0;
    for (let k = 1; k < classes; k++) if (lows[k]! > lows[winner]!) winner = k;
    for (let k = 0; k < classes; k++) if (k !== winner && highs[k]! >= lows[winner]!) return UNDECIDED;
    return winner;
  });
  fillFromCells(cells, offset, size, rows, columns, target, targetOffset, (row0, row1, x0, x1, wx, wy) => {
    let bestValue = -Infinity;
    let label = 0;
    for (let k = 0, o = 0; k < classes; k++, o += plane) {
      const v = interpolate(p, row0 + x0 + o, row0 + x1 + o, row1 + x0 + o, row1 + x1 + o, wx, wy);
      if (v > bestValue) {
        bestValue = v;
        label = k;
      }
    }
    return label;
  });
}
