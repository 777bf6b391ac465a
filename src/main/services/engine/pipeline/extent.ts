import type { ManifestationExtent } from '../../../../common/analysis/report';

/** Pixels, slices and millilitres of one label value in a slice-major label volume. */
export function extentOf(labels: Uint8Array, sliceCount: number, pixelsPerSlice: number, label: number, spacingMm: [number, number, number] | null): ManifestationExtent {
  let pixelCount = 0;
  let sliceHits = 0;
  for (let s = 0; s < sliceCount; s++) {
    let inSlice = 0;
    const base = s * pixelsPerSlice;
    for (let i = 0; i < pixelsPerSlice; i++) if (labels[base + i] === label) inSlice++;
    pixelCount += inSlice;
    if (inSlice > 0) sliceHits++;
  }
  return { volumeMl: volumeMlOf(pixelCount, spacingMm), sliceCount: sliceHits, pixelCount };
}

/** Millilitres of `pixelCount` voxels; null without spacing. */
export function volumeMlOf(pixelCount: number, spacingMm: readonly [number, number, number] | null): number | null {
  return spacingMm ? (pixelCount * spacingMm[0] * spacingMm[1] * spacingMm[2]) / 1000 : null;
}
