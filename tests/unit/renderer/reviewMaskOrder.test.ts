import { describe, expect, it } from 'vitest';
import { changedSliceRange, countLabelled, sessionToSeriesSlices, toSeriesOrder, toSessionOrder } from '../../../src/renderer/features/review/masks/order';

// 3 slices of 2x2 pixels; session slice s is filled with s+1 so every slice is recognisable.
const SLICE = 4;
const sessionOrder = ['inst-a', 'inst-b', 'inst-c'];
const sessionLabels = Uint8Array.from([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);

describe('review mask slice order', () => {
  it('puts each session slice on the series slice showing the same instance', () => {
    const mapping = sessionToSeriesSlices(sessionOrder, ['inst-c', 'inst-a', 'inst-b']);
    expect(mapping).toEqual([1, 2, 0]);
    expect([...toSeriesOrder(sessionLabels, SLICE, mapping, 3)]).toEqual([3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  it('brings edited series slices back to session order, keeping slices the series lacks', () => {
    const mapping = sessionToSeriesSlices(sessionOrder, ['inst-c', 'inst-a']);
    expect(mapping).toEqual([1, -1, 0]);
    const edited = Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 1]);
    expect([...toSessionOrder(edited, SLICE, mapping, sessionLabels)]).toEqual([1, 0, 0, 1, 2, 2, 2, 2, 0, 0, 0, 0]);
  });

  it('finds the first and last changed slice, so a stroke sends only those', () => {
    const after = sessionLabels.slice();
    expect(changedSliceRange(sessionLabels, after, SLICE)).toBeNull();
    after[5] = 0;
    expect(changedSliceRange(sessionLabels, after, SLICE)).toEqual({ first: 1, last: 1 });
    after[11] = 0;
    expect(changedSliceRange(sessionLabels, after, SLICE)).toEqual({ first: 1, last: 2 });
    expect(() => changedSliceRange(sessionLabels, new Uint8Array(8), SLICE)).toThrow();
  });

  it('counts labelled pixels of any label value', () => {
    expect(countLabelled(Uint8Array.from([0, 1, 2, 3, 0]))).toBe(3);
  });
});
