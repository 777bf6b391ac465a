/**
 * Session masks are slice-major in the session's slice order (session.study.instanceIds);
 * the segmentation module takes and gives labels in viewer.activeSeries instance order.
 * Both come from the same sort today, but the mapping is explicit (by viewer instance id)
 * so a differently ordered series can never put an edit on the wrong slice.
 */

/** For each session slice, the series slice showing the same instance (-1: not in the series). */
export function sessionToSeriesSlices(sessionInstanceIds: readonly string[], seriesInstanceIds: readonly string[]): number[] {
  const seriesSliceOf = new Map(seriesInstanceIds.map((id, index) => [id, index]));
  return sessionInstanceIds.map((id) => seriesSliceOf.get(id) ?? -1);
}

/** Session-ordered labels to series order. */
export function toSeriesOrder(labels: Uint8Array, sliceSize: number, sessionToSeries: readonly number[], seriesSliceCount: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(sliceSize * seriesSliceCount);
  sessionToSeries.forEach((seriesSlice, sessionSlice) => {
    if (seriesSlice < 0) return;
    out.set(labels.subarray(sessionSlice * sliceSize, (sessionSlice + 1) * sliceSize), seriesSlice * sliceSize);
  });
  return out;
}

/** Series-ordered labels back to session order (slices the series lacks stay as in `fallback`). */
export function toSessionOrder(labels: Uint8Array, sliceSize: number, sessionToSeries: readonly number[], fallback: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(fallback);
  sessionToSeries.forEach((seriesSlice, sessionSlice) => {
    if (seriesSlice < 0) return;
    out.set(labels.subarray(seriesSlice * sliceSize, (seriesSlice + 1) * sliceSize), sessionSlice * sliceSize);
  });
  return out;
}

/** First and last slice where two equally sized volumes differ; null when identical. */
export function changedSliceRange(before: Uint8Array, after: Uint8Array, sliceSize: number): { first: number; last: number } | null {
  if (before.length !== after.length) throw new Error('Label volumes of different sizes');
  let first = -1;
  let last = -1;
  const slices = before.length / sliceSize;
  for (let slice = 0; slice < slices; slice++) {
    const start = slice * sliceSize;
    for (let i = start; i < start + sliceSize; i++) {
      if (before[i] !== after[i]) {
        if (first < 0) first = slice;
        last = slice;
        break;
      }
    }
  }
  return first < 0 ? null : { first, last };
}

export function countLabelled(labels: Uint8Array): number {
  let count = 0;
  for (const value of labels) if (value !== 0) count++;
  return count;
}
