/**
 * DICOM RLE Lossless (PS3.5 annex G). Written here because the only JavaScript RLE
 * decoder at hand lives inside Cornerstone's browser image loader internals, which are
 * not importable from Node; the format is a PackBits variant and short to decode.
 * Output: interleaved samples, little-endian bytes.
 */
export function decodeRle(encoded: Uint8Array, rows: number, columns: number, samplesPerPixel: number, bitsAllocated: number): Uint8Array {
  if (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) {
    throw new Error(`RLE with ${bitsAllocated} bits allocated is not supported.`);
  }
  const bytesPerSample = bitsAllocated / 8;
  const pixelCount = rows * columns;
  const expectedSegments = bytesPerSample * samplesPerPixel;
  if (encoded.length < 64) throw new Error('RLE frame is shorter than its 64-byte header.');
  const header = new DataView(encoded.buffer, encoded.byteOffset, 64);
  const segmentCount = header.getUint32(0, true);
  if (segmentCount !== expectedSegments) {
    throw new Error(`RLE frame has ${segmentCount} segments; ${expectedSegments} expected.`);
  }
  const out = new Uint8Array(pixelCount * expectedSegments);
  const stride = expectedSegments;
  for (let segment = 0; segment < segmentCount; segment++) {
    const start = header.getUint32(4 + segment * 4, true);
    const next = segment + 1 < segmentCount ? header.getUint32(8 + segment * 4, true) : encoded.length;
    const end = Math.min(next || encoded.length, encoded.length);
    // Segments hold the most significant byte first; sample s, byte b lands at
    // (little-endian) offset s * bytesPerSample + (bytesPerSample - 1 - b).
    const sample = Math.floor(segment / bytesPerSample);
    const byteOfSample = bytesPerSample - 1 - (segment % bytesPerSample);
    let outIndex = sample * bytesPerSample + byteOfSample;
    const outEnd = out.length;
    let inIndex = start;
    let written = 0;
    while (inIndex < end && written < pixelCount) {
      const control = encoded[inIndex++]!;
      const n = control > 127 ? control - 256 : control;
      if (n >= 0) {
        for (let i = 0; i <= n && inIndex < end && written < pixelCount; i++) {
          out[outIndex] = encoded[inIndex++]!;
          outIndex += stride;
          written++;
        }
      } else if (n > -128) {
        const value = encoded[inIndex++]!;
        for (let i = 0; i < 1 - n && written < pixelCount && outIndex < outEnd; i++) {
          out[outIndex] = value;
          outIndex += stride;
          written++;
        }
      }
    }
    if (written < pixelCount) throw new Error(`RLE segment ${segment + 1} is truncated (${written} of ${pixelCount} samples).`);
  }
  return out;
}
