/**
 * Steps 2.3-2.4: x = (v / 255 - mean) / std in float64, stored as float32 (one rounding,
 * as the reference does), the grey plane repeated `channels` times, NCHW. Writes sample
 * `batchIndex` of a batch tensor in place so a batch needs no extra copies.
 */
export function normalizeInto(
  u8: Uint8Array,
  channels: number,
  mean: number,
  std: number,
  target: Float32Array,
  batchIndex: number,
): void {
  const plane = u8.length;
  const base = batchIndex * channels * plane;
  for (let i = 0; i < plane; i++) target[base + i] = (u8[i]! / 255 - mean) / std;
  for (let c = 1; c < channels; c++) target.copyWithin(base + c * plane, base, base + plane);
}
