import { describe, expect, it } from 'vitest';
import { alignMasksToSeries, diceByClass, formatEta, formatMl, gateNote, perSliceManifestations, streamExtents } from '../../../src/renderer/features/analysis/summary';
import { hexToRgb, rgbToHex } from '../../../src/renderer/features/analysis/colors';
import { linePath, probabilityToY, sliceToX, xToSlice, type PlotBox } from '../../../src/renderer/features/analysis/plot';
import type { SeriesAnalysis } from '../../../src/common/analysis/report';

type ResultPart = Pick<SeriesAnalysis, 'result' | 'viewerInstanceIds'>;

function resultWith(instances: { id: string; ggo: number }[], streams: SeriesAnalysis['result']['streams'] = []): ResultPart {
  return {
    viewerInstanceIds: Object.fromEntries(instances.map((instance) => [instance.id, `viewer-${instance.id}`])),
    result: {
      seriesInstanceUid: '1.2.3',
      studyInstanceUid: null,
      modality: 'CT',
      kind: 'ct',
      description: null,
      spacingMm: null,
      instances: instances.map((instance, sliceIndex) => ({
        id: instance.id,
        path: `/x/${instance.id}.dcm`,
        sliceIndex,
        rows: 2,
        columns: 2,
        manifestations: { ggo: instance.ggo, consolidation: 0, effusion: 0 },
      })),
      recognition: null,
      manifestations: null,
      streams,
    },
  };
}

describe('analysis panel summaries', () => {
  it('puts each slice probability on the viewer slice showing that instance, with gaps where none', () => {
    const analysis = resultWith([
      { id: 'uid-b', ggo: 0.2 },
      { id: 'uid-a', ggo: 0.9 },
    ]);
    const perSlice = perSliceManifestations(analysis, ['viewer-uid-a', 'viewer-uid-missing', 'viewer-uid-b']);
    expect(perSlice.map((value) => value?.ggo ?? null)).toEqual([0.9, null, 0.2]);
  });

  it('reorders mask slices by instance id into the series order and leaves unknown slices empty', () => {
    const masks = { rows: 1, columns: 2, labels: Uint8Array.from([1, 1, 2, 2]), instanceIds: ['b', 'a'] };
    expect([...alignMasksToSeries(masks, ['a', 'c', 'b'])]).toEqual([2, 2, 0, 0, 1, 1]);
  });

  it('computes Dice per class between specialized streams and the all-class labels', () => {
    const all = Uint8Array.from([1, 1, 0, 2, 3, 0]);
    const ggo = Uint8Array.from([1, 0, 1, 0, 0, 0]);
    const effusion = Uint8Array.from([0, 0, 0, 0, 0, 0]);
    const agreement = diceByClass({ ggo, effusion }, all);
    // GGO: |A|=2, |B|=2, overlap 1 -> 0.5. Effusion: A empty, B one pixel -> 0.
    expect(agreement).toEqual([
      { manifestation: 'ggo', dice: 0.5, specializedPixels: 2, allClassPixels: 2 },
      { manifestation: 'effusion', dice: 0, specializedPixels: 0, allClassPixels: 1 },
    ]);
    expect(diceByClass({ consolidation: new Uint8Array(3) }, new Uint8Array(3))[0]?.dice).toBeNull();
  });

  it('lists stream extents specialized first, then the all-class model by manifestation', () => {
    const extent = (volumeMl: number) => ({ volumeMl, sliceCount: 1, pixelCount: 10 });
    const rows = streamExtents(
      resultWith([], [
        { stream: 'all', modelId: 'seg-all', manifestations: { effusion: extent(3), ggo: extent(1) } },
        { stream: 'effusion', modelId: 'seg-effusion', manifestations: { effusion: extent(5) } },
      ]),
    );
    expect(rows.map((row) => `${row.stream}:${row.manifestation}:${row.volumeMl}`)).toEqual(['effusion:effusion:5', 'all:ggo:1', 'all:effusion:3']);
  });

  it('formats volumes and ETAs for people', () => {
    expect(formatMl(null)).toBe('–');
    expect(formatMl(4.26)).toBe('4.3 mL');
    expect(formatMl(153.6)).toBe('154 mL');
    expect(formatEta(null)).toBe('estimating…');
    expect(formatEta(12_400)).toBe('~12 s left');
    expect(formatEta(125_000)).toBe('~2 min 05 s left');
  });

  it('converts colours between RGB and the colour picker hex form', () => {
    expect(rgbToHex([255, 221, 0])).toBe('#ffdd00');
    expect(hexToRgb('#28C846')).toEqual([40, 200, 70]);
    expect(hexToRgb('yellow')).toBeNull();
  });
});

describe('per-slice plot geometry', () => {
  const box: PlotBox = { width: 100, height: 50, padding: { left: 10, right: 10, top: 5, bottom: 5 } };

  it('maps the first and last slice to the plot edges and back', () => {
    expect(sliceToX(0, 5, box)).toBe(10);
    expect(sliceToX(4, 5, box)).toBe(90);
    expect(xToSlice(90, 5, box)).toBe(4);
    expect(xToSlice(31, 5, box)).toBe(1);
    // Clicks in the padding clamp to the series.
    expect(xToSlice(-20, 5, box)).toBe(0);
    expect(xToSlice(200, 5, box)).toBe(4);
  });

  it('puts probability 1 at the top and 0 at the bottom', () => {
    expect(probabilityToY(1, box)).toBe(5);
    expect(probabilityToY(0, box)).toBe(45);
    expect(probabilityToY(2, box)).toBe(5);
  });

  it('draws a line per run of values and breaks it where a slice has none', () => {
    expect(linePath([1, 0, null, 0.5, 0.5], box)).toBe('M10.0 5.0 L30.0 45.0 M70.0 25.0 L90.0 25.0');
  });
});

describe('anatomical gate note', () => {
  it('says what the gate cut, per stream, and how many slices had no lung', () => {
    const note = gateNote({
      applied: true,
      reason: null,
      slicesGated: 64,
      slicesWithLung: 47,
      removed: { all: { pixelCount: 900_000, volumeMl: 1309.4 }, ggo: { pixelCount: 0, volumeMl: 0 }, effusion: { pixelCount: 120, volumeMl: 0.06 } },
    });
    expect(note).toContain('limited to the lungs');
    expect(note).toContain('all-class 1309 mL');
    expect(note).toContain('effusion 0.1 mL');
    expect(note).not.toMatch(/GGO \d/);
    expect(note).toContain('17 of 64 slices have no lung');
  });

  it('warns that the masks are raw when the gate was off, and is silent without segmentation', () => {
    expect(gateNote({ applied: false, reason: 'switched off', slicesGated: 0, slicesWithLung: 0, removed: {} })).toMatch(/raw model output.*switched off/);
    expect(gateNote(undefined)).toBeNull();
  });
});
