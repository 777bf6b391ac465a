import type { Orientation, Vector3 } from '../../../common/dicom';

/** Unit normal of the image plane: row direction x column direction. */
export function sliceNormal(orientation: Orientation): Vector3 {
  const [rx, ry, rz, cx, cy, cz] = orientation;
  const normal: Vector3 = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
  const length = Math.hypot(...normal);
  return length > 0 ? [normal[0] / length, normal[1] / length, normal[2] / length] : [0, 0, 1];
}

/** Distance of a position along the slice normal: the coordinate slices are sorted by. */
export function projectOnNormal(position: Vector3, normal: Vector3): number {
  return position[0] * normal[0] + position[1] * normal[1] + position[2] * normal[2];
}

/**
 * Orientations that differ by less than ~0.06 degrees are one orientation; scanners
 * write cosines with different rounding, so exact comparison would split good series.
 */
export function orientationKey(orientation: Orientation | null): string {
  return orientation ? orientation.map((value) => (Math.round(value * 1000) / 1000 + 0).toFixed(3)).join(',') : 'none';
}

/** Plain name of an orientation for warnings: axial, coronal, sagittal or oblique. */
export function orientationName(orientation: Orientation | null): string {
  if (!orientation) return 'without orientation';
  const normal = sliceNormal(orientation).map(Math.abs);
  const [x = 0, y = 0, z = 0] = normal;
  if (z > 0.9) return 'axial';
  if (y > 0.9) return 'coronal';
  if (x > 0.9) return 'sagittal';
  return 'oblique';
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Positions closer than this along the normal are the same slice position (mm). */
export const SAME_POSITION_MM = 0.01;

export interface SpacingReport {
  /** Median neighbour distance, null with fewer than two distinct positions. */
  spacing: number | null;
  duplicatePositions: number;
  /** Neighbour distances well above the usual one: [index of the slice before the gap, distance]. */
  gaps: Array<[number, number]>;
  /** Distances that differ from the median but are not gaps. */
  irregular: boolean;
}

/** Inspects sorted slice coordinates (distance along the normal) for duplicates, gaps and uneven spacing. */
export function inspectSpacing(sortedCoordinates: readonly number[]): SpacingReport {
  const steps: Array<[number, number]> = [];
  let duplicatePositions = 0;
  for (let index = 1; index < sortedCoordinates.length; index += 1) {
    const step = (sortedCoordinates[index] ?? 0) - (sortedCoordinates[index - 1] ?? 0);
    if (step < SAME_POSITION_MM) duplicatePositions += 1;
    else steps.push([index - 1, step]);
  }
  if (steps.length === 0) return { spacing: null, duplicatePositions, gaps: [], irregular: false };
  const usual = median(steps.map(([, step]) => step));
  const tolerance = Math.max(0.1, usual * 0.1);
  const gaps = steps.filter(([, step]) => step > usual * 1.5);
  const irregular = steps.some(([, step]) => Math.abs(step - usual) > tolerance);
  return { spacing: usual, duplicatePositions, gaps, irregular };
}
