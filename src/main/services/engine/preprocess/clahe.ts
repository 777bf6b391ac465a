/**
 * The exact-integer CLAHE of docs/model-contract.md 2.2. Written out (not OpenCV) because
 * the contract defines it bit for bit so that TypeScript and Python agree exactly.
 */
function tileEdges(size: number, tiles: number): number[] {
  const edges: number[] = [];
  for (let k = 0; k <= tiles; k++) edges.push(Math.floor((k * size) / tiles));
  return edges;
}

interface AxisInterpolation {
  k0: Int32Array;
  k1: Int32Array;
  w: Float64Array;
}

function axisInterpolation(size: number, edges: number[], tiles: number): AxisInterpolation {
  const centres: number[] = [];
  for (let k = 0; k < tiles; k++) centres.push((edges[k]! + edges[k + 1]! - 1) / 2);
  const k0 = new Int32Array(size);
  const k1 = new Int32Array(size);
  const w = new Float64Array(size);
  const first = centres[0]!;
  const last = centres[tiles - 1]!;
  for (let p = 0; p < size; p++) {
    if (p <= first) {
      k0[p] = 0;
      k1[p] = 0;
    } else if (p >= last) {
      k0[p] = tiles - 1;
      k1[p] = tiles - 1;
    } else {
      // The last centre c_k <= p (searchsorted side="right" minus one).
      let k = 0;
      while (k + 1 < tiles && centres[k + 1]! <= p) k++;
      k0[p] = k;
      k1[p] = k + 1;
      w[p] = (p - centres[k]!) / (centres[k + 1]! - centres[k]!);
    }
  }
  return { k0, k1, w };
}

export function claheU8(image: Uint8Array, rows: number, columns: number, tiles: number, clipLimit: number): Uint8Array {
  const ey = tileEdges(rows, tiles);
  const ex = tileEdges(columns, tiles);
  // One 256-entry lookup table per tile, tile (i, j) at (i * tiles + j) * 256.
  const luts = new Int32Array(tiles * tiles * 256);
  const histogram = new Float64Array(256);
  for (let i = 0; i < tiles; i++) {
    for (let j = 0; j < tiles; j++) {
      histogram.fill(0);
      const y0 = ey[i]!;
      const y1 = ey[i + 1]!;
      const x0 = ex[j]!;
      const x1 = ex[j + 1]!;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) histogram[image[y * columns + x]!]!++;
      const area = (y1 - y0) * (x1 - x0);
      const clip = Math.max(1, Math.floor((clipLimit * area) / 256));
      let excess = 0;
      for (let v = 0; v < 256; v++) {
        if (histogram[v]! > clip) {
          excess += histogram[v]! - clip;
          histogram[v] = clip;
        }
      }
      const share = Math.floor(excess / 256);
      const remainder = excess % 256;
      let cdf = 0;
      const base = (i * tiles + j) * 256;
      for (let v = 0; v < 256; v++) {
        cdf += histogram[v]! + share + (v < remainder ? 1 : 0);
        // Integer arithmetic: floor((2 * 255 * cdf + A) / (2 * A)); all values stay exact in float64.
        luts[base + v] = Math.floor((2 * 255 * cdf + area) / (2 * area));
      }
    }
  }
  const ry = axisInterpolation(rows, ey, tiles);
  const rx = axisInterpolation(columns, ex, tiles);
  const out = new Uint8Array(rows * columns);
  for (let y = 0; y < rows; y++) {
    const wy = ry.w[y]!;
    const t0 = ry.k0[y]! * tiles;
    const t1 = ry.k1[y]! * tiles;
    for (let x = 0; x < columns; x++) {
      const wx = rx.w[x]!;
      const c0 = rx.k0[x]!;
      const c1 = rx.k1[x]!;
      const g = image[y * columns + x]!;
      const l00 = luts[(t0 + c0) * 256 + g]!;
      const l01 = luts[(t0 + c1) * 256 + g]!;
      const l10 = luts[(t1 + c0) * 256 + g]!;
      const l11 = luts[(t1 + c1) * 256 + g]!;
      const v = (1 - wy) * ((1 - wx) * l00 + wx * l01) + wy * ((1 - wx) * l10 + wx * l11);
      const r = Math.floor(v + 0.5);
      out[y * columns + x] = r < 0 ? 0 : r > 255 ? 255 : r;
    }
  }
  return out;
}
