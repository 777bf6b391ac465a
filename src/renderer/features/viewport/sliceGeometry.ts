/**
 * Which instance of a series a volume viewport is showing. Cornerstone's own slice
 * index counts along the camera's view direction, which for some planes runs opposite
 * to the series' instance order; the AI overlay and review notes need the instance
 * itself, so we find it from geometry: the instance whose position along the slice
 * normal is nearest the camera's focal point.
 */
import type { InstanceDetail, Orientation, Vector3 } from '../../../common/dicom/study-tree';

export function sliceNormal(orientation: Orientation): Vector3 {
  const [rx, ry, rz, cx, cy, cz] = orientation;
  return [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
}

function dot(a: readonly number[], b: readonly number[]): number {
  return (a[0] ?? 0) * (b[0] ?? 0) + (a[1] ?? 0) * (b[1] ?? 0) + (a[2] ?? 0) * (b[2] ?? 0);
}

/** Index in `instances` nearest `point` along the slice normal; null without geometry. */
export function nearestInstanceIndex(instances: readonly Pick<InstanceDetail, 'imagePositionPatient' | 'imageOrientationPatient'>[], point: readonly number[]): number | null {
  const orientation = instances.find((instance) => instance.imageOrientationPatient)?.imageOrientationPatient;
  if (!orientation) return null;
  const normal = sliceNormal(orientation);
  const target = dot(point, normal);
  let best: number | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  instances.forEach((instance, index) => {
    if (!instance.imagePositionPatient) return;
    const distance = Math.abs(dot(instance.imagePositionPatient, normal) - target);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = index;
    }
  });
  return best;
}
