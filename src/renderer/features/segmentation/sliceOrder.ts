/**
 * Label volumes travel slice-major in the series' instance order (viewer.activeSeries,
 * as analysis:get-masks and sessions:get-mask return them). Cornerstone builds its volume
 * from the same image ids but may sort the slices differently (by its own projection on
 * the scan axis). These pure helpers map between the two orders by image id, never by
 * assuming both orders agree.
 */

/**
 * For each slice of the Cornerstone volume, the index of the instance it shows in
 * `instanceImageIds` (series order), or -1 when the volume holds an image the series does
 * not know (never expected; such a slice stays empty).
 */
export function volumeSliceToInstance(volumeImageIds: readonly string[], instanceImageIds: readonly string[]): number[] {
  const instanceOf = new Map(instanceImageIds.map((imageId, index) => [imageId, index]));
  return volumeImageIds.map((imageId) => instanceOf.get(imageId) ?? -1);
}

/** Copy instance-ordered slices into volume-ordered slice buffers (one per volume slice). */
export function writeInstanceSlices(labels: Uint8Array, sliceSize: number, volumeToInstance: readonly number[], targets: readonly Uint8Array[]): void {
  volumeToInstance.forEach((instance, volumeSlice) => {
    const target = targets[volumeSlice];
    if (!target) return;
    const start = instance * sliceSize;
    if (instance < 0 || start + sliceSize > labels.length) {
      target.fill(0);
      return;
    }
    target.set(labels.subarray(start, start + sliceSize));
  });
}

/** The inverse of writeInstanceSlices: gather volume-ordered slices back into series order. */
export function readInstanceSlices(sources: readonly Uint8Array[], sliceSize: number, volumeToInstance: readonly number[], instanceCount: number): Uint8Array {
  const labels = new Uint8Array(sliceSize * instanceCount);
  volumeToInstance.forEach((instance, volumeSlice) => {
    const source = sources[volumeSlice];
    if (!source || instance < 0 || instance >= instanceCount) return;
    labels.set(source.subarray(0, sliceSize), instance * sliceSize);
  });
  return labels;
}
