/**
 * BitsAllocated = 1 pixel packing (PS3.5 8.1.1): pixels fill each byte from the least
 * significant bit, and frames follow each other without padding to a byte boundary.
 */
export function packBits(frames: readonly Uint8Array[], pixelsPerFrame: number): Uint8Array {
  const totalBits = frames.length * pixelsPerFrame;
  // Pixel Data must have an even length.
  const byteLength = Math.ceil(totalBits / 8);
  const packed = new Uint8Array(byteLength + (byteLength % 2));
  let bit = 0;
  for (const frame of frames) {
    for (let i = 0; i < pixelsPerFrame; i++, bit++) {
      if (frame[i] !== 0) packed[bit >> 3]! |= 1 << (bit & 7);
    }
  }
  return packed;
}

/** Frame `index` of packed binary pixel data, as one byte (0 / 1) per pixel. */
export function unpackFrame(packed: Uint8Array, index: number, pixelsPerFrame: number): Uint8Array {
  const frame = new Uint8Array(pixelsPerFrame);
  const start = index * pixelsPerFrame;
  if (Math.ceil((start + pixelsPerFrame) / 8) > packed.length) {
    throw new Error(`Segmentation pixel data is too short for frame ${index + 1}.`);
  }
  for (let i = 0; i < pixelsPerFrame; i++) {
    const bit = start + i;
    frame[i] = (packed[bit >> 3]! >> (bit & 7)) & 1;
  }
  return frame;
}
