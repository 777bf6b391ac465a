import { describe, expect, it } from 'vitest';
import { readInstanceSlices, volumeSliceToInstance, writeInstanceSlices } from '../../../src/renderer/features/segmentation/sliceOrder';

// 3 slices of 2x2 pixels; slice s is filled with the value s+1 so every slice is recognisable.
const SLICE = 4;
const seriesOrder = ['img-a', 'img-b', 'img-c'];
const labels = Uint8Array.from([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);

describe('segmentation slice order', () => {
  it('maps each volume slice to the series instance showing the same image', () => {
    // Cornerstone sorted the volume the other way round.
    expect(volumeSliceToInstance(['img-c', 'img-b', 'img-a'], seriesOrder)).toEqual([2, 1, 0]);
    expect(volumeSliceToInstance(['img-a', 'img-x'], seriesOrder)).toEqual([0, -1]);
  });

  it('puts each instance mask into the volume slice that shows that instance', () => {
    const mapping = volumeSliceToInstance(['img-c', 'img-a', 'img-b'], seriesOrder);
    const targets = [new Uint8Array(SLICE), new Uint8Array(SLICE), new Uint8Array(SLICE)];
    writeInstanceSlices(labels, SLICE, mapping, targets);
    expect(targets.map((slice) => [...slice])).toEqual([
      [3, 3, 3, 3],
      [1, 1, 1, 1],
      [2, 2, 2, 2],
    ]);
  });

  it('clears a volume slice whose image the series does not know, instead of keeping stale labels', () => {
    const target = Uint8Array.from([9, 9, 9, 9]);
    writeInstanceSlices(labels, SLICE, [-1], [target]);
    expect([...target]).toEqual([0, 0, 0, 0]);
  });

  it('reads volume slices back into series order (the inverse of writing)', () => {
    const mapping = volumeSliceToInstance(['img-b', 'img-c', 'img-a'], seriesOrder);
    const targets = [new Uint8Array(SLICE), new Uint8Array(SLICE), new Uint8Array(SLICE)];
    writeInstanceSlices(labels, SLICE, mapping, targets);
    targets[0]![0] = 7; // an edit on the volume slice that shows img-b
    const back = readInstanceSlices(targets, SLICE, mapping, 3);
    expect([...back]).toEqual([1, 1, 1, 1, 7, 2, 2, 2, 3, 3, 3, 3]);
  });
});
