/**
 * The anatomical gate on synthetic CT slices (HU drawn here, windowed to G exactly as the
 * engine does): a chest with two lungs, an internal and a pleural-based consolidation, a
 * posterior pleural fluid crescent; a neck slice with only the trachea; an upper-abdomen
 * slice below the lungs. Masks are "painted everywhere" and gated, as in the engine.
 */
import { describe, expect, it } from 'vitest';
import type { StreamId } from '../../../src/common/analysis/report';
import {
  applyLungGate,
  computeLungGate,
  LUNG_GATE,
  pleuralAllowances,
  windowSupportsGate,
  type LungGate,
} from '../../../src/main/services/engine/pipeline/lung-gate';
import { windowToU8 } from '../../../src/main/services/engine/preprocess';

const WINDOW = { center: -450, width: 1250 };
const SIZE = 512;
const SPACING = 0.7; // mm per pixel
const N = SIZE * SIZE;

type Shape = (x: number, y: number) => boolean;
const ellipse = (cx: number, cy: number, ax: number, ay: number): Shape => (x, y) => ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1;
const disc = (cx: number, cy: number, r: number): Shape => ellipse(cx, cy, r, r);

// Chest: body 280 x 196 mm, lungs 98 x 140 mm each, 28 mm of mediastinum between them.
const body = ellipse(256, 256, 200, 140);
const leftLung = ellipse(166, 250, 70, 100); // image left (patient's right)
const rightLung = ellipse(346, 250, 70, 100);
const internalBlob = disc(346, 230, 20); // consolidation inside the right lung (14 mm radius)
const peripheralBlob = disc(410, 260, 15); // consolidation against the lateral chest wall
// Posterior (dependent: rows grow towards the back) fluid between the left lung and the wall, ~10 mm thick.
const pleuralSpace = ellipse(166, 250, 84, 114);
const crescent: Shape = (x, y) => pleuralSpace(x, y) && !leftLung(x, y) && y > 290;
// Neck: smaller body, a trachea of 17 mm diameter (227 mm^2), no lung.
const neck = ellipse(256, 256, 120, 100);
const trachea = disc(256, 220, 12);

function slice(hu: (x: number, y: number) => number): Uint8Array {
  const values = new Float64Array(N);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) values[y * SIZE + x] = hu(x, y);
  return windowToU8(values, WINDOW.center, WINDOW.width);
}

const chestSlice = () =>
  slice((x, y) => {
    if (!body(x, y)) return -1000;
    if (internalBlob(x, y) || peripheralBlob(x, y)) return 30;
    if (crescent(x, y)) return 10;
    if (leftLung(x, y) || rightLung(x, y)) return -850;
    return 40;
  });
const neckSlice = () => slice((x, y) => (!neck(x, y) ? -1000 : trachea(x, y) ? -1000 : 40));
const abdomenSlice = () => slice((x, y) => (body(x, y) ? 40 : -1000));

/** A mask painted everywhere with `label`, gated; returns the kept pixels as 0/1. */
function gated(gate: LungGate, stream: StreamId, label = 1, pleural: Uint8Array | null = null): Uint8Array {
  const labels = new Uint8Array(N).fill(label);
  const removed = applyLungGate(labels, 0, gate, stream, pleural);
  const kept = labels.reduce((n, v) => n + (v ? 1 : 0), 0);
  expect(removed + kept).toBe(N);
  return labels.map((v) => (v ? 1 : 0));
}

function pixels(shape: Shape): number[] {
  const out: number[] = [];
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) if (shape(x, y)) out.push(y * SIZE + x);
  return out;
}
const fraction = (mask: Uint8Array, shape: Shape) => {
  const inside = pixels(shape);
  return inside.reduce((n, i) => n + mask[i]!, 0) / inside.length;
};
const single = (gate: LungGate) => [...pleuralAllowances([gate], null)][0]!.allowed;

describe('anatomical gate (lung-gate.ts) on synthetic slices', () => {
  const chest = computeLungGate(chestSlice(), SIZE, SIZE, WINDOW, [SPACING, SPACING]);

  it('finds the body and both lungs of the chest slice', () => {
    const bodyArea = pixels(body).length;
    expect(chest.bodyPixels / bodyArea).toBeGreaterThan(0.97);
    expect(chest.bodyPixels / bodyArea).toBeLessThan(1.03);
    // Both lungs, the consolidation inside them, little else.
    const lungArea = pixels((x, y) => leftLung(x, y) || rightLung(x, y)).length;
    expect(chest.lungPixels).toBeGreaterThan(lungArea * 0.98);
    expect(chest.lungPixels).toBeLessThan(lungArea * 1.15);
  });

  it('allows GGO and consolidation on the lungs and on both consolidation blobs, not on the chest wall or mediastinum', () => {
    for (const [stream, label] of [
      ['ggo', 1],
      ['consolidation', 1],
      ['all', 1],
      ['all', 2],
    ] as const) {
      const kept = gated(chest, stream, label);
      expect(fraction(kept, leftLung)).toBeGreaterThan(0.99);
      expect(fraction(kept, rightLung)).toBeGreaterThan(0.99);
      expect(fraction(kept, internalBlob)).toBe(1);
      // The part of the pleural-based blob in the lung's outline (a bite the air threshold leaves out).
      expect(fraction(kept, (x, y) => peripheralBlob(x, y) && rightLung(x, y))).toBeGreaterThan(0.97);
      // Mediastinum core (>= 8 mm from both lungs) and the rest of the body >= 10 mm from the lungs: nothing.
      expect(fraction(kept, (x, y) => x >= 248 && x <= 264 && y >= 200 && y <= 300)).toBe(0);
      const farFromLung: Shape = (x, y) => body(x, y) && !ellipse(166, 250, 85, 115)(x, y) && !ellipse(346, 250, 85, 115)(x, y) && !disc(410, 260, 30)(x, y);
      expect(pixels(farFromLung).length).toBeGreaterThan(20000);
      expect(fraction(kept, farFromLung)).toBe(0);
      expect(fraction(kept, (x, y) => !body(x, y))).toBe(0);
    }
  });

  it('allows pleural effusion on the posterior fluid crescent, never outside the body', () => {
    const pleural = single(chest);
    for (const [stream, label] of [
      ['effusion', 1],
      ['all', 3],
    ] as const) {
      const kept = gated(chest, stream, label, pleural);
      expect(fraction(kept, crescent)).toBe(1);
      expect(fraction(kept, (x, y) => !body(x, y))).toBe(0);
    }
    // GGO is cut on most of the fluid (only the margin next to the lung stays).
    expect(fraction(gated(chest, 'ggo'), (x, y) => crescent(x, y) && !ellipse(166, 250, 80, 110)(x, y))).toBeLessThan(0.2);
  });

  it('allows nothing on a neck slice whose only air is the trachea', () => {
    const gate = computeLungGate(neckSlice(), SIZE, SIZE, WINDOW, [SPACING, SPACING]);
    expect(gate.bodyPixels).toBeGreaterThan(0);
    expect(gate.lungPixels).toBe(0);
    for (const stream of ['ggo', 'consolidation'] as const) expect(gated(gate, stream).every((v) => v === 0)).toBe(true);
    expect(gated(gate, 'effusion', 1, single(gate)).every((v) => v === 0)).toBe(true);
    expect(gated(gate, 'all', 3, single(gate)).every((v) => v === 0)).toBe(true);
  });

  it('lets effusion reach below the lung base (3D), within pleuralReachMm only', () => {
    const abdomen = computeLungGate(abdomenSlice(), SIZE, SIZE, WINDOW, [SPACING, SPACING]);
    expect(abdomen.lungPixels).toBe(0);
    // Chest at 0 mm, abdomen slices 10 mm and 60 mm below it.
    const allowances = new Map([...pleuralAllowances([chest, abdomen, abdomen], [0, 10, 60])].map(({ slot, allowed }) => [slot, allowed]));
    const near = gated(abdomen, 'effusion', 1, allowances.get(1)!);
    const far = gated(abdomen, 'effusion', 1, allowances.get(2)!);
    // 10 mm below: fluid under the posterior lung base is kept, in the body only ...
    expect(fraction(near, (x, y) => crescent(x, y))).toBe(1);
    expect(fraction(near, (x, y) => !body(x, y))).toBe(0);
    // ... but not the front of the body, ~45 mm in-plane from where the lungs were.
    expect(fraction(near, (x, y) => x >= 248 && x <= 264 && y >= 118 && y <= 128)).toBe(0);
    // 60 mm below (beyond the 30 mm reach): nothing; GGO never on a slice without lung.
    expect(far.every((v) => v === 0)).toBe(true);
    expect(gated(abdomen, 'ggo').every((v) => v === 0)).toBe(true);
  });

  it('without a pleural allowance leaves effusion alone; gating twice changes nothing more', () => {
    expect(gated(chest, 'effusion').every((v) => v === 1)).toBe(true);
    const labels = new Uint8Array(N).fill(2);
    const first = applyLungGate(labels, 0, chest, 'all');
    expect(first).toBeGreaterThan(0);
    expect(applyLungGate(labels, 0, chest, 'all')).toBe(0);
  });

  it('honours the pixel spacing: a lung drawn 4x smaller in mm is no lung', () => {
    // The same pixels at 0.35 mm: each lung is 35 x 24 mm (~650 mm^2 < 800 mm^2).
    const gate = computeLungGate(chestSlice(), SIZE, SIZE, WINDOW, [SPACING / 4, SPACING / 4]);
    expect(gate.lungPixels).toBe(0);
    expect(LUNG_GATE.minLungComponentMm2).toBe(800);
  });

  it('refuses a window that cannot tell air from tissue', () => {
    expect(windowSupportsGate(WINDOW)).toBe(true);
    expect(windowSupportsGate({ center: 40, width: 400 })).toBe(false);
  });
});
