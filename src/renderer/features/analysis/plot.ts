/**
 * Geometry of the per-slice probability plot: slices along x (first slice left), probability
 * 0..1 along y (1 at the top). Pure, so scaling and hit-testing are unit tested.
 */
export interface PlotBox {
  width: number;
  height: number;
  /** Inner padding: left, right, top, bottom. */
  padding: { left: number; right: number; top: number; bottom: number };
}

export function sliceToX(slice: number, sliceCount: number, box: PlotBox): number {
  const inner = box.width - box.padding.left - box.padding.right;
  if (sliceCount <= 1) return box.padding.left + inner / 2;
  return box.padding.left + (slice / (sliceCount - 1)) * inner;
}

export function probabilityToY(probability: number, box: PlotBox): number {
  const inner = box.height - box.padding.top - box.padding.bottom;
  const clamped = Math.max(0, Math.min(1, probability));
  return box.padding.top + (1 - clamped) * inner;
}

/** The slice under a horizontal position in the plot (clamped to the series). */
export function xToSlice(x: number, sliceCount: number, box: PlotBox): number {
  if (sliceCount <= 1) return 0;
  const inner = box.width - box.padding.left - box.padding.right;
  const fraction = (x - box.padding.left) / inner;
  return Math.max(0, Math.min(sliceCount - 1, Math.round(fraction * (sliceCount - 1))));
}

/**
 * SVG path of one manifestation along the slices; slices without a value break the line
 * (a gap, not a drop to zero, because "not analysed" is not "0 %").
 */
export function linePath(values: readonly (number | null)[], box: PlotBox): string {
  const parts: string[] = [];
  let penDown = false;
  values.forEach((value, slice) => {
    if (value === null) {
      penDown = false;
      return;
    }
    const x = sliceToX(slice, values.length, box).toFixed(1);
    const y = probabilityToY(value, box).toFixed(1);
    parts.push(`${penDown ? 'L' : 'M'}${x} ${y}`);
    penDown = true;
  });
  return parts.join(' ');
}
