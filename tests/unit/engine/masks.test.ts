import { describe, expect, it } from 'vitest';
import { argmaxMask, binaryMask } from '../../../src/main/services/engine/pipeline/masks';
import { resizeFloat } from '../../../src/main/services/engine/preprocess';

/** Deterministic pseudo-random numbers (no flaky inputs). */
function lcg(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function maps(kind: 'noise' | 'blobs', classes: number, size: number): Float32Array {
  const random = lcg(42);
  const out = new Float32Array(classes * size * size);
  for (let k = 0; k < classes; k++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const blob = Math.exp(-((x - size * (0.2 + 0.2 * k)) ** 2 + (y - size / 2) ** 2) / (size * 3));
        out[k * size * size + y * size + x] = kind === 'noise' ? random() : k === 0 ? 1 - 0.9 * blob : 0.3 * blob + 0.01 * k;
      }
    }
  }
  return out;
}

// The reference: resize every plane with the contract's resize (float64), then decide.
describe('masks on the source grid equal threshold / argmax of the contract-resized probability maps', () => {
  for (const kind of ['noise', 'blobs'] as const) {
    for (const [rows, columns] of [
      [512, 512],
      [443, 385],
    ] as const) {
      it(`${kind}, ${rows}x${columns}`, () => {
        const size = 64;
        const probs = maps(kind, 4, size);
        const planes = [0, 1, 2, 3].map((k) => resizeFloat(probs, size, size, rows, columns, k * size * size));
        const labels = new Uint8Array(2 * rows * columns);
        // Second slot of a two-slice volume: offsets must be honoured.
        argmaxMask(probs, 0, 4, size, rows, columns, labels, rows * columns);
        let wrong = 0;
        const seen = new Set<number>();
        for (let i = 0; i < rows * columns; i++) {
          let best = 0;
          for (let k = 1; k < 4; k++) if (planes[k]![i]! > planes[best]![i]!) best = k;
          seen.add(best);
          if (labels[rows * columns + i] !== best) wrong++;
        }
        expect(wrong).toBe(0);
        expect(seen.size).toBeGreaterThan(1);
        for (const threshold of [0.05, 0.25, 0.5]) {
          const mask = new Uint8Array(rows * columns);
          const count = binaryMask(probs, size * size, size, rows, columns, threshold, mask, 0);
          let expectedCount = 0;
          let mismatches = 0;
          for (let i = 0; i < mask.length; i++) {
            const expected = planes[1]![i]! >= threshold ? 1 : 0;
            expectedCount += expected;
            if (expected !== mask[i]) mismatches++;
          }
          expect(mismatches).toBe(0);
          expect(count).toBe(expectedCount);
        }
      });
    }
  }
});
