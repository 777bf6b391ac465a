import type { StreamId } from '../../../../common/analysis/report';
import { ALL_CLASS_LABELS } from '../../../../common/analysis/report';
import type { Window } from '../preprocess';

/**
 * Anatomical gate on the stage-3 masks (docs/analyzer.md, "Anatomical gate").
 *
 * The segmentation models look at a CLAHE-enhanced slice (256 or 512 px) without any notion of
 * anatomy, so they can paint "consolidation" on neck slices or bits of the chest wall and
 * even the air around the patient. GGO and consolidation are findings of the lung
 * parenchyma; a pleural effusion is fluid in the pleural space, outside the aerated lung
 * but against it and inside the body. This module derives, from one slice's display image
 * G alone (HU windowed with the manifest's CT window), where each finding can be:
 *
 * 1. **Body**: outside air = air (< -500 HU) connected to the image border; the body is the
 *    largest connected component of everything else, holes filled (arms, separate parts of
 *    the table and noise are other components).
 * 2. **Lung**: air (< -400 HU) inside the body in connected components of at least
 *    `minLungComponentMm2` (the trachea, main bronchi and small bowel-gas pockets alone do
 *    not make a lung), then closed with a disc of `closingRadiusMm` and holes up to
 *    `maxHoleMm2` filled, so that consolidation and dense GGO (which the air threshold
 *    leaves out) at the lung border and inside it belong to the lung.
 * 3. **Parenchyma** (GGO, consolidation): the lung dilated by `parenchymaMarginMm`, within
 *    the body. A slice without lung (neck, abdomen) has none: nothing is allowed on it.
 * 4. **Pleural space** (effusion): the body within `pleuralReachMm` of the lung of this
 *    slice or of any slice up to `pleuralReachMm` above or below (`pleuralAllowances`):
 *    fluid pools in the posterior costophrenic recesses below the lowest aerated lung.
 *
 * The gate works on ~1.5 mm cells (2 x 2 pixels of a 0.7 mm slice) with a one-cell frame;
 * distances use a two-pass 3-4 chamfer transform (integer, 8 neighbours; within ~8 % of the
 * Euclidean distance, well below the margins used) instead of per-pixel disc loops, and
 * flood fills one preallocated queue: ~1.5-4 ms per 512 x 512 slice in Node (measured in
 * docs/analyzer.md).
 */

export const LUNG_GATE = {
  /** Outside air: below this (HU) and connected to the border. Fat (~-100) and lung (~-850) lie either side with margin. */
  outsideAirHu: -500,
  /** Aerated lung: below this (HU). Normal parenchyma is ~-900..-500; GGO lifts it to ~-700..-300, so part of the GGO is in already. */
  lungAirHu: -400,
  /**
   * Smallest air component (mm^2) that counts as lung. An adult trachea is at most ~25 x 27 mm
   * (~530 mm^2) and the pharynx/larynx airway is smaller; one lung at the hila is ~10 000 mm^2.
   * 800 mm^2 (e.g. 32 x 25 mm) keeps the airway of neck slices out with a margin, at the price
   * of the very apices (see the limits in docs/analyzer.md).
   */
  minLungComponentMm2: 800,
  /** Closing radius: takes in consolidation up to ~2 x 12 mm wide at the lung border (concave bites) and fills it. */
  closingRadiusMm: 12,
  /** GGO / consolidation allowed this far outside the closed lung (resize-back blur, pleural-based findings). */
  parenchymaMarginMm: 5,
  /** Pleural effusion allowed this far from the closed lung, inside the body (the pleural space with fluid). */
  pleuralReachMm: 30,
  /**
   * Largest hole of the closed lung that is filled (mm^2, ~50 mm across): lesions enclosed by
   * lung are far smaller than the mediastinum and heart, which the closing can enclose too.
   */
  maxHoleMm2: 2000,
  /** The gate works on blocks of about this size (mm): 2 x 2 pixels of a 0.7 mm slice. */
  workSpacingMm: 1.5,
  /** Pixel spacing assumed when the series does not give one (a typical chest CT field of view, 360 mm / 512). */
  defaultPixelSpacingMm: 0.7,
} as const;

export type LungGateParameters = { -readonly [K in keyof typeof LUNG_GATE]: number };

/** Bits of a gate cell. */
export const CELL_BODY = 1;
/** The closed, hole-filled lung. */
export const CELL_LUNG = 2;
/** GGO / consolidation allowed: lung plus margin, inside the body. */
export const CELL_PARENCHYMA = 4;

/** One slice's gate, on its work grid (`factor` x `factor` source pixels per cell, one-cell frame). */
export interface LungGate {
  rows: number;
  columns: number;
  factor: number;
  /** Size of a cell (mm): distances on the grid are in cells. */
  cellSpacingMm: number;
  width: number;
  height: number;
  /** Per cell: CELL_BODY | CELL_LUNG | CELL_PARENCHYMA bits. */
  cells: Uint8Array;
  /** Source pixels in the body and in the closed lung (0 on slices without lung). */
  bodyPixels: number;
  lungPixels: number;
}

/** G of a HU value under the contract's window (model contract section 1). */
export function greyOfHu(hu: number, window: Window): number {
  const lo = window.center - window.width / 2;
  const g = Math.floor(((hu - lo) * 255) / window.width + 0.5);
  return g < 0 ? 0 : g > 255 ? 255 : g;
}

/**
 * Whether G under this window can tell outside air from tissue and lung from the rest: both
 * thresholds must fall strictly inside the window with at least a grey level between them.
 * With the manifest's window (-450 / 1250) they are G 117 and 138.
 */
export function windowSupportsGate(window: Window, parameters: LungGateParameters = LUNG_GATE): boolean {
  const outside = greyOfHu(parameters.outsideAirHu, window);
  const lung = greyOfHu(parameters.lungAirHu, window);
  return window.width > 0 && outside > 0 && lung < 255 && lung > outside;
}

/** Reused work buffers (one slice size at a time): the gate runs on every slice of a series. */
class Workspace {
  readonly queue: Int32Array;
  readonly labels: Int32Array;
  readonly a: Uint8Array;
  readonly b: Uint8Array;
  readonly body: Uint8Array;
  readonly dist: Uint16Array;
  constructor(readonly size: number) {
    this.queue = new Int32Array(size);
    this.labels = new Int32Array(size);
    this.a = new Uint8Array(size);
    this.b = new Uint8Array(size);
    this.body = new Uint8Array(size);
    this.dist = new Uint16Array(size);
  }
}
let workspace: Workspace | null = null;
function workspaceFor(size: number): Workspace {
  if (!workspace || workspace.size !== size) workspace = new Workspace(size);
  return workspace;
}

/*
 * The helpers below work on the gate's grid, which has a one-pixel frame of outside air
 * (see workGrid) that no mask ever includes: every neighbour of an interior pixel exists,
 * so the loops need no bounds checks (a quarter of the time of the checked versions).
 */

/**
 * Marks in `reached` (1) the frame and every interior pixel with `inside[i] === value`
 * 4-connected to it through such pixels. Returns the number of interior pixels reached.
 */
function floodFromBorder(inside: Uint8Array, value: number, height: number, width: number, reached: Uint8Array, queue: Int32Array): number {
  reached.fill(0);
  const n = height * width;
  for (let x = 0; x < width; x++) {
    reached[x] = 1;
    reached[n - width + x] = 1;
  }
  for (let y = 1; y < height - 1; y++) {
    reached[y * width] = 1;
    reached[y * width + width - 1] = 1;
  }
  let tail = 0;
  for (let x = 1; x < width - 1; x++) {
    for (const i of [width + x, n - 2 * width + x]) {
      if (reached[i] === 0 && inside[i] === value) {
        reached[i] = 1;
        queue[tail++] = i;
      }
    }
  }
  for (let y = 2; y < height - 2; y++) {
    for (const i of [y * width + 1, y * width + width - 2]) {
      if (reached[i] === 0 && inside[i] === value) {
        reached[i] = 1;
        queue[tail++] = i;
      }
    }
  }
  for (let head = 0; head < tail; head++) {
    const i = queue[head]!;
    if (reached[i - 1] === 0 && inside[i - 1] === value) {
      reached[i - 1] = 1;
      queue[tail++] = i - 1;
    }
    if (reached[i + 1] === 0 && inside[i + 1] === value) {
      reached[i + 1] = 1;
      queue[tail++] = i + 1;
    }
    if (reached[i - width] === 0 && inside[i - width] === value) {
      reached[i - width] = 1;
      queue[tail++] = i - width;
    }
    if (reached[i + width] === 0 && inside[i + width] === value) {
      reached[i + width] = 1;
      queue[tail++] = i + width;
    }
  }
  return tail;
}

/**
 * 4-connected components of the interior pixels with `mask === 1`: writes component ids
 * (1..) into `labels` (0 elsewhere) and returns each component's pixel count (index = id).
 */
function components(mask: Uint8Array, height: number, width: number, labels: Int32Array, queue: Int32Array): number[] {
  labels.fill(0);
  const areas = [0];
  for (let y = 1; y < height - 1; y++) {
    for (let start = y * width + 1, end = y * width + width - 1; start < end; start++) {
      if (mask[start] !== 1 || labels[start] !== 0) continue;
      const id = areas.length;
      let tail = 0;
      labels[start] = id;
      queue[tail++] = start;
      for (let head = 0; head < tail; head++) {
        const i = queue[head]!;
        if (mask[i - 1] === 1 && labels[i - 1] === 0) {
          labels[i - 1] = id;
          queue[tail++] = i - 1;
        }
        if (mask[i + 1] === 1 && labels[i + 1] === 0) {
          labels[i + 1] = id;
          queue[tail++] = i + 1;
        }
        if (mask[i - width] === 1 && labels[i - width] === 0) {
          labels[i - width] = id;
          queue[tail++] = i - width;
        }
        if (mask[i + width] === 1 && labels[i + width] === 0) {
          labels[i + width] = id;
          queue[tail++] = i + width;
        }
      }
      areas.push(tail);
    }
  }
  return areas;
}

const FAR = 0xffff;

/**
 * Two-pass 3-4 chamfer distance (3 units per pixel step, 4 per diagonal) to the nearest pixel
 * with `seeds[i] === 1`, capped at 0xffff. Each pass looks at the four neighbours already
 * visited, so the whole transform is two sweeps; frame pixels keep their initial value.
 */
function chamfer(seeds: Uint8Array, height: number, width: number, dist: Uint16Array): void {
  const n = height * width;
  for (let i = 0; i < n; i++) dist[i] = seeds[i] === 1 ? 0 : FAR;
  for (let y = 1; y < height - 1; y++) {
    for (let i = y * width + 1, end = y * width + width - 1; i < end; i++) {
      let d = dist[i]!;
      if (d === 0) continue;
      const up = i - width;
      const left = dist[i - 1]! + 3;
      if (left < d) d = left;
      const u = dist[up]! + 3;
      if (u < d) d = u;
      const ul = dist[up - 1]! + 4;
      if (ul < d) d = ul;
      const ur = dist[up + 1]! + 4;
      if (ur < d) d = ur;
      dist[i] = d;
    }
  }
  for (let y = height - 2; y >= 1; y--) {
    for (let i = y * width + width - 2, end = y * width; i > end; i--) {
      let d = dist[i]!;
      if (d === 0) continue;
      const down = i + width;
      const right = dist[i + 1]! + 3;
      if (right < d) d = right;
      const dn = dist[down]! + 3;
      if (dn < d) d = dn;
      const dr = dist[down + 1]! + 4;
      if (dr < d) d = dr;
      const dl = dist[down - 1]! + 4;
      if (dl < d) d = dl;
      dist[i] = d;
    }
  }
}

/** A radius in mm as a chamfer distance (3 units per pixel of `spacingMm`). */
const chamferUnits = (mm: number, spacingMm: number) => Math.round((mm / spacingMm) * 3);

/**
 * The slice on the grid the gate works on, with a one-cell frame of outside air around it
 * (so every flood from the border can start anywhere on the frame and the air around the
 * patient is one region). The gate needs ~1.5 mm, not the 0.7 mm of a 512 px slice: a
 * quarter of the pixels makes it ~4 x faster. Per cell of `factor` x `factor` pixels:
 * `mean` (lung air is a density, partial volume included) and `min` (a cell with any air
 * pixel may be outside: the body then never takes in a pixel of the air around it).
 */
function workGrid(grey: Uint8Array, rows: number, columns: number, factor: number): { mean: Uint8Array; min: Uint8Array; height: number; width: number } {
  const innerRows = Math.ceil(rows / factor);
  const innerColumns = Math.ceil(columns / factor);
  const height = innerRows + 2;
  const width = innerColumns + 2;
  const mean = new Uint8Array(height * width);
  const min = new Uint8Array(height * width);
  if (factor === 2 && rows % 2 === 0 && columns % 2 === 0) {
    // The usual case (0.6-1 mm pixels): 2 x 2 blocks; (sum + 2) >> 2 rounds half up like Math.round.
    for (let by = 0; by < innerRows; by++) {
      const top = 2 * by * columns;
      const bottom = top + columns;
      const out = (by + 1) * width + 1;
      for (let bx = 0, x = 0; bx < innerColumns; bx++, x += 2) {
        const p = grey[top + x]!;
        const q = grey[top + x + 1]!;
        const r = grey[bottom + x]!;
        const s = grey[bottom + x + 1]!;
        mean[out + bx] = (p + q + r + s + 2) >> 2;
        min[out + bx] = Math.min(p, q, r, s);
      }
    }
    return { mean, min, height, width };
  }
  for (let by = 0; by < innerRows; by++) {
    const y0 = by * factor;
    const y1 = Math.min(rows, y0 + factor);
    const out = (by + 1) * width + 1;
    for (let bx = 0; bx < innerColumns; bx++) {
      const x0 = bx * factor;
      const x1 = Math.min(columns, x0 + factor);
      let sum = 0;
      let lowest = 255;
      for (let y = y0; y < y1; y++) {
        for (let i = y * columns + x0, end = y * columns + x1; i < end; i++) {
          const v = grey[i]!;
          sum += v;
          if (v < lowest) lowest = v;
        }
      }
      mean[out + bx] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
      min[out + bx] = lowest;
    }
  }
  return { mean, min, height, width };
}

/**
 * The gate of one slice from its display image G (rows x columns) windowed with `window`
 * from HU. `pixelSpacingMm` is (row, column) spacing; null assumes `defaultPixelSpacingMm`.
 */
export function computeLungGate(
  grey: Uint8Array,
  rows: number,
  columns: number,
  window: Window,
  pixelSpacingMm: readonly [number, number] | null,
  parameters: LungGateParameters = LUNG_GATE,
): LungGate {
  if (grey.length < rows * columns) throw new Error(`Display image has ${grey.length} pixels, expected ${rows}x${columns}.`);
  const [rowSpacing, columnSpacing] =
    pixelSpacingMm && pixelSpacingMm[0] > 0 && pixelSpacingMm[1] > 0 ? pixelSpacingMm : [parameters.defaultPixelSpacingMm, parameters.defaultPixelSpacingMm];
  // Distances are isotropic in pixels; with (rare) non-square pixels use their mean size.
  const sourceSpacing = (rowSpacing + columnSpacing) / 2;
  const factor = Math.max(1, Math.round(parameters.workSpacingMm / sourceSpacing));
  const spacing = sourceSpacing * factor;
  const pixelAreaMm2 = rowSpacing * columnSpacing * factor * factor;
  const { mean: g, min: gMin, height, width } = workGrid(grey, rows, columns, factor);
  const n = height * width;
  const { queue, labels, a, b, body, dist } = workspaceFor(n);
  const outsideGrey = greyOfHu(parameters.outsideAirHu, window);
  const lungGrey = greyOfHu(parameters.lungAirHu, window);
  const cells = new Uint8Array(n);
  const gate = (bodyPixels: number, lungPixels: number): LungGate => ({ rows, columns, factor, cellSpacingMm: spacing, width, height, cells, bodyPixels, lungPixels });

  // 1. Outside air: air (a = 1) reached from the frame (b = 1).
  for (let i = 0; i < n; i++) a[i] = gMin[i]! < outsideGrey ? 1 : 0;
  floodFromBorder(a, 1, height, width, b, queue);
  // The body: largest component of what is not outside air, holes filled (whatever the
  // frame cannot reach without crossing it).
  for (let i = 0; i < n; i++) a[i] = b[i] === 1 ? 0 : 1;
  const bodyAreas = components(a, height, width, labels, queue);
  let bodyId = 0;
  for (let id = 1; id < bodyAreas.length; id++) if (bodyAreas[id]! > (bodyAreas[bodyId] ?? 0)) bodyId = id;
  if (bodyId === 0) return gate(0, 0);
  for (let i = 0; i < n; i++) a[i] = labels[i] === bodyId ? 1 : 0;
  floodFromBorder(a, 0, height, width, b, queue);
  let bodyCells = 0;
  for (let i = 0; i < n; i++) {
    const inBody = b[i] === 1 ? 0 : 1;
    body[i] = inBody;
    cells[i] = inBody;
    bodyCells += inBody;
  }
  const bodyPixels = Math.round(bodyCells * factor * factor);

  // 2. Lung air inside the body, in components large enough to be lung (a = 1).
  for (let i = 0; i < n; i++) a[i] = body[i] === 1 && g[i]! < lungGrey ? 1 : 0;
  const lungAreas = components(a, height, width, labels, queue);
  const minCells = parameters.minLungComponentMm2 / pixelAreaMm2;
  const keep = new Uint8Array(lungAreas.length);
  let kept = 0;
  for (let id = 1; id < lungAreas.length; id++) {
    if (lungAreas[id]! >= minCells) {
      keep[id] = 1;
      kept++;
    }
  }
  if (kept === 0) return gate(bodyPixels, 0);
  for (let i = 0; i < n; i++) a[i] = keep[labels[i]!] === 1 ? 1 : 0;

  // 3. Closing: dilate (distance to the lung <= r), then erode (distance to the outside of
  // the dilation > r), within the body; the aerated lung itself always stays in.
  const closing = chamferUnits(parameters.closingRadiusMm, spacing);
  chamfer(a, height, width, dist);
  for (let i = 0; i < n; i++) b[i] = dist[i]! > closing ? 1 : 0;
  chamfer(b, height, width, dist);
  for (let i = 0; i < n; i++) if (a[i] === 0 && dist[i]! > closing && body[i] === 1) a[i] = 1;
  // Holes: consolidation, vessels or a lesion enclosed by lung become lung. Holes larger
  // than maxHoleMm2 are left out: that is the mediastinum and heart, enclosed when the
  // closing bridges the two lungs in front of and behind it (junction lines).
  floodFromBorder(a, 0, height, width, b, queue);
  for (let i = 0; i < n; i++) b[i] = a[i] === 0 && b[i] === 0 ? 1 : 0;
  const holeAreas = components(b, height, width, labels, queue);
  const maxHoleCells = parameters.maxHoleMm2 / pixelAreaMm2;
  const fill = new Uint8Array(holeAreas.length);
  for (let id = 1; id < holeAreas.length; id++) fill[id] = holeAreas[id]! <= maxHoleCells ? 1 : 0;
  let lungCells = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === 0 && fill[labels[i]!] === 1) a[i] = 1;
    lungCells += a[i]!;
  }

  // 4. Parenchyma: within the margin of the closed lung, inside the body.
  const margin = chamferUnits(parameters.parenchymaMarginMm, spacing);
  chamfer(a, height, width, dist);
  for (let i = 0; i < n; i++) {
    if (body[i] === 0) continue;
    cells[i] = CELL_BODY | (a[i] === 1 ? CELL_LUNG : 0) | (dist[i]! <= margin ? CELL_PARENCHYMA : 0);
  }
  return gate(bodyPixels, Math.round(lungCells * factor * factor));
}

/**
 * Where pleural effusion may be, per slice of a series (in spatial order): inside that
 * slice's body, within `pleuralReachMm` in 3D of the lung of this slice or of another slice
 * (a point at in-plane distance d from the lung of a slice dz away qualifies when
 * d^2 + dz^2 <= reach^2). Fluid pools in the posterior costophrenic recesses below the
 * lowest aerated lung, which a slice-by-slice rule would cut off. `positionsMm` are the
 * slices' positions along the series (null when the spacing is unknown: each slice's own
 * lung only). Neighbours are taken every `~3 mm` (thin slices add nothing at that scale) and
 * each slice's distance map is computed once and kept while it is within reach. Yields, per
 * slice with a gate, a work-grid mask (1 = allowed); all gates share one grid (one series).
 */
export function* pleuralAllowances(
  gates: ReadonlyArray<LungGate | null>,
  positionsMm: readonly number[] | null,
  parameters: LungGateParameters = LUNG_GATE,
): Generator<{ slot: number; allowed: Uint8Array }> {
  const first = gates.find((g) => g !== null);
  if (!first) return;
  const { width, height } = first;
  const n = width * height;
  for (const g of gates) if (g && (g.width !== width || g.height !== height)) throw new Error('Pleural allowance needs one grid for the whole series.');
  const reachMm = parameters.pleuralReachMm;
  const maps = new Map<number, Uint16Array | null>();
  const seeds = new Uint8Array(n);
  const distanceMap = (slot: number): Uint16Array | null => {
    let map = maps.get(slot);
    if (map !== undefined) return map;
    const g = gates[slot];
    map = null;
    if (g && g.lungPixels > 0) {
      for (let i = 0; i < n; i++) seeds[i] = (g.cells[i]! & CELL_LUNG) !== 0 ? 1 : 0;
      map = new Uint16Array(n);
      chamfer(seeds, height, width, map);
    }
    maps.set(slot, map);
    return map;
  };
  const position = (slot: number) => (positionsMm ? positionsMm[slot]! : 0);
  const sliceGap = positionsMm && gates.length > 1 ? Math.abs(position(gates.length - 1) - position(0)) / (gates.length - 1) : 0;
  const stride = sliceGap > 0 ? Math.max(1, Math.round(3 / sliceGap)) : 1;
  for (let slot = 0; slot < gates.length; slot++) {
    const g = gates[slot];
    if (!g) continue;
    for (const cached of maps.keys()) if (Math.abs(position(cached) - position(slot)) > reachMm) maps.delete(cached);
    const allowed = new Uint8Array(n);
    const neighbours = [slot];
    if (positionsMm) {
      for (let k = slot - stride; k >= 0 && Math.abs(position(k) - position(slot)) <= reachMm; k -= stride) neighbours.push(k);
      for (let k = slot + stride; k < gates.length && Math.abs(position(k) - position(slot)) <= reachMm; k += stride) neighbours.push(k);
    }
    for (const k of neighbours) {
      const map = distanceMap(k);
      if (!map) continue;
      const dz = position(k) - position(slot);
      const limit = chamferUnits(Math.sqrt(Math.max(0, reachMm * reachMm - dz * dz)), g.cellSpacingMm);
      for (let i = 0; i < n; i++) if (map[i]! <= limit) allowed[i] = 1;
    }
    const c = g.cells;
    for (let i = 0; i < n; i++) if ((c[i]! & CELL_BODY) === 0) allowed[i] = 0;
    yield { slot, allowed };
  }
}

/**
 * Zeroes, in one slice of a stream's labels (from `offset`, rows x columns of the gate), the
 * labels the gate does not allow: GGO and consolidation (binary streams, `all` labels 1 and 2)
 * outside the parenchyma; with `pleural` (from pleuralAllowances), effusion (binary stream,
 * `all` label 3) outside it. Without `pleural` effusion labels are left alone (they are gated
 * once the whole series is known). Returns the number of pixels removed.
 */
export function applyLungGate(labels: Uint8Array, offset: number, gate: LungGate, stream: StreamId, pleural: Uint8Array | null = null): number {
  const { rows, columns, factor, width, cells } = gate;
  // Per label value: the work-grid mask and bit that allow it (null: not gated in this call).
  const rules: Array<{ mask: Uint8Array; bit: number } | null> = [null, null, null, null];
  const parenchyma = { mask: cells, bit: CELL_PARENCHYMA };
  const effusion = pleural ? { mask: pleural, bit: 1 } : null;
  if (stream === 'all') {
    rules[ALL_CLASS_LABELS.ggo] = parenchyma;
    rules[ALL_CLASS_LABELS.consolidation] = parenchyma;
    rules[ALL_CLASS_LABELS.effusion] = effusion;
  } else {
    rules[1] = stream === 'effusion' ? effusion : parenchyma;
  }
  if (rules.every((rule) => rule === null)) return 0;
  const cellOfColumn = new Int32Array(columns);
  for (let x = 0; x < columns; x++) cellOfColumn[x] = ((x / factor) | 0) + 1;
  let removed = 0;
  for (let y = 0; y < rows; y++) {
    const cellRow = (((y / factor) | 0) + 1) * width;
    const base = offset + y * columns;
    for (let x = 0; x < columns; x++) {
      const label = labels[base + x]!;
      if (label === 0) continue;
      const rule = rules[label];
      if (rule && (rule.mask[cellRow + cellOfColumn[x]!]! & rule.bit) === 0) {
        labels[base + x] = 0;
        removed++;
      }
    }
  }
  return removed;
}
