/**
 * Rescale (stored value -> Hounsfield units) for frames of multi-frame files, from the
 * ingest service's per-instance details. Cornerstone's wadouri metadata reads Rescale
 * Slope/Intercept only at the top level of the dataset, but enhanced CT keeps them in
 * the per-frame/shared functional groups: without this, such frames show raw stored
 * values and every HU (ROI statistics, window presets) is off by the intercept.
 * Single-frame files are left to Cornerstone (it also handles Modality LUT sequences).
 */
import { metaData } from '@cornerstonejs/core';
import type { InstanceDetail } from '../../../common/dicom/study-tree';

const frameDetails = new Map<string, Pick<InstanceDetail, 'rescaleSlope' | 'rescaleIntercept'>>();
let registered = false;

function provider(type: string, imageId: unknown): unknown {
  if (type !== 'modalityLutModule' || typeof imageId !== 'string') return undefined;
  const detail = frameDetails.get(imageId);
  if (!detail) return undefined;
  return { rescaleSlope: detail.rescaleSlope, rescaleIntercept: detail.rescaleIntercept, rescaleType: undefined, modalityLUTSequence: undefined };
}

/** Remember the rescale of each multi-frame image id about to be displayed. */
export function rememberFrameRescale(imageIds: readonly string[], instances: readonly InstanceDetail[]): void {
  if (!registered) {
    // Above Cornerstone's own wadouri provider (priority 0).
    metaData.addProvider(provider, 100);
    registered = true;
  }
  instances.forEach((instance, index) => {
    const imageId = imageIds[index];
    if (imageId && instance.frame !== null) frameDetails.set(imageId, { rescaleSlope: instance.rescaleSlope, rescaleIntercept: instance.rescaleIntercept });
  });
}
