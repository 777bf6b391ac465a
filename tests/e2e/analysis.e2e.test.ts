/**
 * The AI second opinion in the viewer, end to end: the built renderer in headless Chromium
 * against the real main-process engine and the real ONNX models, on the bundled sample
 * chest CT (64 slices) and a chest X-ray fixture. Values on screen are checked against the
 * engine's own report (analysis:get-result) and masks (analysis:get-masks); masks are
 * checked as pixels: in the stream's colour, where its mask is, and gone when toggled off.
 * Screenshots land in tests/e2e/artifacts/ for a human to look at.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CLASS_LABELS, MANIFESTATIONS, RESEARCH_NOTICE, type ManifestationName, type StreamName } from '../../src/common/analysis/constants';
import type { SeriesAnalysis, SeriesMasks } from '../../src/common/analysis/report';
import { DEFAULT_SAMPLE_PATH, REPO_ROOT, startTestApp, type TestApp } from './support/testApp';
import { captureElement, capturePage, diffStats, type Shot } from './support/screenshots';
import { VIEWPORT, displayGeneration, settle, sliceIndex, waitForDisplay, waitForSliceChange } from './support/viewer';

const PANEL = '[data-testid="analysis-panel"]';
const XRAY_FIXTURE = join(REPO_ROOT, 'tests/fixtures/engine/xray-dx-window-mono1.dcm');
/** Paper colours the panel starts with (see features/analysis/colors.ts). */
const STREAM_COLORS: Record<ManifestationName, [number, number, number]> = { ggo: [255, 221, 0], consolidation: [235, 40, 40], effusion: [40, 200, 70] };

/** Records every text the analysis progress block shows, from the first paint on. */
const RECORD_ANALYSIS_PROGRESS = `
  window.__analysisProgressSeen = [];
  new MutationObserver(() => {
    const text = document.querySelector('[data-testid="analysis-progress"]')?.textContent?.replace(/\\s+/g, ' ').trim();
    if (text && window.__analysisProgressSeen.at(-1) !== text) window.__analysisProgressSeen.push(text);
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

async function numberIn(app: TestApp, testId: string): Promise<number> {
  const value = await app.page.getAttribute(`[data-testid="${testId}"]`, 'data-value');
  if (value === null || value === '') throw new Error(`${testId} has no value`);
  return Number(value);
}

async function waitForMasks(app: TestApp, streams: readonly StreamName[], timeoutMs = 240_000): Promise<void> {
  await app.page.waitForSelector(`${PANEL}[data-state="done"][data-masks="${streams.join(',')}"]`, { timeout: timeoutMs });
  await settle(app.page);
}

async function setStreamChecked(app: TestApp, stream: StreamName, checked: boolean): Promise<void> {
  await app.page.setChecked(`[data-testid="toggle-${stream}"]`, checked);
  await settle(app.page);
}

/** Click the per-slice plot at a slice and wait for the axial view to show it. */
async function goToSlice(app: TestApp, slice: number, sliceCount: number): Promise<void> {
  const plot = app.page.locator('[data-testid="slice-plot"]');
  const box = await plot.boundingBox();
  if (!box) throw new Error('plot not visible');
  // Same geometry as features/analysis/SlicePlot.svelte: 288 units wide, 26 left and 6 right padding.
  const scale = box.width / 288;
  const x = box.x + (26 + (slice / (sliceCount - 1)) * (288 - 32)) * scale;
  const before = await sliceIndex(app.page, VIEWPORT.axial);
  await plot.click({ position: { x: x - box.x, y: box.height / 2 } });
  if (before !== slice) await waitForSliceChange(app.page, VIEWPORT.axial, before);
  await expect.poll(() => sliceIndex(app.page, VIEWPORT.axial)).toBe(slice);
  await settle(app.page);
}

/**
 * Where slice `slice` of a mask lands in a screenshot of the axial viewport: the square
 * image is fitted to the viewport's smaller side and centred (Cornerstone's reset camera).
 * Returns one byte per screenshot pixel: 1 where a label in `labels` is under it.
 */
function projectMask(masks: SeriesMasks, slice: number, labels: readonly number[], shot: Shot): Uint8Array {
  const { width, height } = shot.png;
  const side = Math.min(width, height);
  const left = (width - side) / 2;
  const top = (height - side) / 2;
  const projected = new Uint8Array(width * height);
  const base = slice * masks.rows * masks.columns;
  for (let y = 0; y < height; y++) {
    const row = Math.floor(((y + 0.5 - top) / side) * masks.rows);
    if (row < 0 || row >= masks.rows) continue;
    for (let x = 0; x < width; x++) {
      const column = Math.floor(((x + 0.5 - left) / side) * masks.columns);
      if (column < 0 || column >= masks.columns) continue;
      if (labels.includes(masks.labels[base + row * masks.columns + column] ?? 0)) projected[y * width + x] = 1;
    }
  }
  return projected;
}

function dilate(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx >= 0 && ny >= 0 && nx < width && ny < height) out[ny * width + nx] = 1;
        }
      }
    }
  }
  return out;
}

function erode(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const inverted = mask.map((value) => (value ? 0 : 1));
  return dilate(inverted, width, height, radius).map((value) => (value ? 0 : 1));
}

interface OverlayChange {
  /** Pixels whose colour changed by more than 10 (max channel difference). */
  changed: number;
  /** Share of changed pixels that lie on (or within 3 px of) the projected mask. */
  insideMask: number;
  /** Share of the projected mask's interior that changed. */
  maskCovered: number;
  /** Cosine between the mean colour change and (stream colour - original colour). */
  towardsColour: number;
}

function overlayChange(before: Shot, after: Shot, projected: Uint8Array, colour: readonly number[]): OverlayChange {
  const { width, height } = before.png;
  const near = dilate(projected, width, height, 3);
  const interior = erode(projected, width, height, 2);
  let changed = 0;
  let inside = 0;
  let interiorCount = 0;
  let interiorChanged = 0;
  const delta = [0, 0, 0];
  const target = [0, 0, 0];
  for (let i = 0; i < width * height; i++) {
    const p = i * 4;
    let maxDiff = 0;
    for (let c = 0; c < 3; c++) maxDiff = Math.max(maxDiff, Math.abs((after.png.data[p + c] ?? 0) - (before.png.data[p + c] ?? 0)));
    const isChanged = maxDiff > 10;
    if (interior[i]) {
      interiorCount++;
      if (isChanged) interiorChanged++;
    }
    if (!isChanged) continue;
    changed++;
    if (near[i]) inside++;
    for (let c = 0; c < 3; c++) {
      delta[c] = (delta[c] ?? 0) + (after.png.data[p + c] ?? 0) - (before.png.data[p + c] ?? 0);
      target[c] = (target[c] ?? 0) + (colour[c] ?? 0) - (before.png.data[p + c] ?? 0);
    }
  }
  const dot = delta.reduce((sum, value, c) => sum + value * (target[c] ?? 0), 0);
  const norm = Math.hypot(...delta) * Math.hypot(...target);
  return {
    changed,
    insideMask: changed === 0 ? 0 : inside / changed,
    maskCovered: interiorCount === 0 ? 0 : interiorChanged / interiorCount,
    towardsColour: norm === 0 ? 0 : dot / norm,
  };
}

/** Mean distance (RGB) to `colour` over the projected mask's interior: smaller = more of the colour. */
function distanceToColour(shot: Shot, projected: Uint8Array, colour: readonly number[]): number {
  const { width, height } = shot.png;
  const interior = erode(projected, width, height, 2);
  let total = 0;
  let count = 0;
  for (let i = 0; i < width * height; i++) {
    if (!interior[i]) continue;
    const p = i * 4;
    total += Math.hypot((shot.png.data[p] ?? 0) - (colour[0] ?? 0), (shot.png.data[p + 1] ?? 0) - (colour[1] ?? 0), (shot.png.data[p + 2] ?? 0) - (colour[2] ?? 0));
    count++;
  }
  return count === 0 ? Number.NaN : total / count;
}

function sliceWithMostLabel(masks: SeriesMasks, label: number): { slice: number; pixels: number } {
  const size = masks.rows * masks.columns;
  let best = { slice: 0, pixels: -1 };
  for (let slice = 0; slice < masks.slices; slice++) {
    let pixels = 0;
    for (let i = slice * size; i < (slice + 1) * size; i++) if (masks.labels[i] === label) pixels++;
    if (pixels > best.pixels) best = { slice, pixels };
  }
  return best;
}

describe('AI analysis in the viewer (sample chest CT, real models)', () => {
  let app: TestApp;
  let seriesId: string;
  let report: SeriesAnalysis;
  let sliceCount: number;
  /** Viewer instance ids of the series on screen, in its slice order. */
  let instanceIds: string[];
  const masks: Partial<Record<StreamName, SeriesMasks>> = {};
  let xrayDir: string | null = null;

  beforeAll(async () => {
    if (!DEFAULT_SAMPLE_PATH) throw new Error('resources/sample is missing: the analysis e2e needs the bundled sample CT.');
    app = await startTestApp({ samplePath: DEFAULT_SAMPLE_PATH, openSampleOnStart: true, initScripts: [RECORD_ANALYSIS_PROGRESS] });
    await waitForDisplay(app.page, 0);
    seriesId = (await app.page.getAttribute('.grid', 'data-series-id')) ?? '';
    const series = await app.invoke('studies:get-series', { seriesId });
    instanceIds = series.instances.map((instance) => instance.id);
    sliceCount = instanceIds.length;
  });

  afterAll(async () => {
    await app?.close();
    if (xrayDir) rmSync(xrayDir, { recursive: true, force: true });
  });

  it('runs the pipeline from the A key with a progress bar per stage and an ETA', async () => {
    expect(await app.page.textContent('[data-testid="recognition"]')).toContain('Not analysed yet');
    const started = Date.now();
    await app.page.locator(VIEWPORT.axial).hover();
    await app.page.keyboard.press('a');
    await app.page.waitForSelector(`${PANEL}[data-state="running"]`, { timeout: 10_000 });
    // The viewer stays usable while the engine works: a slice scroll is answered at once.
    const before = await sliceIndex(app.page, VIEWPORT.axial);
    await app.page.keyboard.press('ArrowDown');
    await waitForSliceChange(app.page, VIEWPORT.axial, before, 5_000);
    await capturePage(app.page, 'analysis-running');
    await waitForMasks(app, ['ggo', 'consolidation', 'effusion', 'all']);
    const seen = await app.page.evaluate(() => (window as unknown as { __analysisProgressSeen: string[] }).__analysisProgressSeen);
    for (const stage of ['Recognition', 'Manifestations', 'Segmentation']) {
      expect(seen.some((text) => new RegExp(`${stage}\\s*\\d+/\\d+`).test(text)), `${stage} progress shown`).toBe(true);
    }
    expect(seen.some((text) => /~\d+ s left/.test(text)), 'an ETA was shown').toBe(true);
    const fetched = await app.invoke('analysis:get-result', { seriesId });
    if (!fetched) throw new Error('no result after the run');
    report = fetched;
    for (const stream of ['ggo', 'consolidation', 'effusion', 'all'] as const) {
      const volume = await app.invoke('analysis:get-masks', { seriesId, stream });
      if (!volume) throw new Error(`no ${stream} masks`);
      masks[stream] = volume;
    }
    console.info(`analysis of ${sliceCount} slices took ${((Date.now() - started) / 1000).toFixed(1)} s in the UI`);
    await capturePage(app.page, 'analysis-done');
  });

  it('shows the verdict, 2- and 4-class probabilities, provider, model versions and the research notice of the report', async () => {
    const recognition = report.result.recognition;
    if (!recognition) throw new Error('the report has no recognition');
    const verdict = app.page.locator('[data-testid="verdict"]');
    expect(await verdict.getAttribute('data-verdict2')).toBe(recognition.verdict2);
    expect(await verdict.getAttribute('data-verdict4')).toBe(recognition.verdict4);
    expect(await numberIn(app, 'p2-covid19')).toBeCloseTo(recognition.probabilities.p2.covid19, 6);
    for (const key of ['covid19', 'normal', 'viral', 'bacterial'] as const) {
      expect(await numberIn(app, `p4-${key}`)).toBeCloseTo(recognition.probabilities.p4[key], 6);
      expect(await app.page.textContent(`[data-testid="p4-${key}"]`)).toBe(`${Math.round(recognition.probabilities.p4[key] * 100)} %`);
    }
    expect(await app.page.textContent('[data-testid="provider"]')).toBe(report.executionProvider.used.toUpperCase());
    const provenance = (await app.page.textContent('[data-testid="provenance"]')) ?? '';
    for (const model of report.models) expect(provenance).toContain(`${model.id} v${model.version}`);
    expect(await app.page.textContent('[data-testid="research-notice"]')).toBe(RESEARCH_NOTICE);
    await captureElement(app.page, '[data-testid="recognition"]', 'analysis-recognition');
  });

  it('shows the series max and mean and the slice on screen as bars with the report values, following the scroll', async () => {
    const series = report.result.manifestations;
    if (!series) throw new Error('the report has no manifestations');
    for (const manifestation of MANIFESTATIONS) {
      expect(await numberIn(app, `bar-${manifestation}-max`)).toBeCloseTo(series.max[manifestation], 6);
      expect(await numberIn(app, `bar-${manifestation}-mean`)).toBeCloseTo(series.mean[manifestation], 6);
    }
    const valueOfSlice = (slice: number) => {
      const instance = report.result.instances.find((candidate) => (report.viewerInstanceIds[candidate.id] ?? candidate.id) === instanceIds[slice]);
      if (!instance?.manifestations) throw new Error(`no stage-2 result for slice ${slice}`);
      return instance.manifestations;
    };
    for (let step = 0; step < 2; step++) {
      const slice = await sliceIndex(app.page, VIEWPORT.axial);
      const expected = valueOfSlice(slice);
      for (const manifestation of MANIFESTATIONS) {
        await expect.poll(() => numberIn(app, `bar-${manifestation}-slice`)).toBeCloseTo(expected[manifestation], 6);
      }
      expect(await app.page.textContent('[data-testid="manifestation-bars"]')).toContain(`Slice ${slice + 1}`);
      await app.page.locator(VIEWPORT.axial).hover();
      await app.page.keyboard.press('ArrowDown');
      await waitForSliceChange(app.page, VIEWPORT.axial, slice);
    }
    await captureElement(app.page, '[data-testid="manifestation-bars"]', 'analysis-bars');
  });

  it('jumps to the slice clicked on the per-slice plot, and the image follows', async () => {
    const before = await captureElement(app.page, VIEWPORT.axial, 'analysis-plot-before');
    const markerBefore = await app.page.getAttribute('[data-testid="plot-marker"]', 'x1');
    const target = 10;
    await goToSlice(app, target, sliceCount);
    expect(await app.page.textContent(`${VIEWPORT.axial} [data-testid="slice-label"]`)).toBe(`Im ${target + 1} / ${sliceCount}`);
    const after = await captureElement(app.page, VIEWPORT.axial, 'analysis-plot-after');
    expect(diffStats(before, after).changedFraction).toBeGreaterThan(0.05);
    expect(await app.page.getAttribute('[data-testid="plot-marker"]', 'x1')).not.toBe(markerBefore);
    await captureElement(app.page, '[data-testid="slice-plot-section"]', 'analysis-plot');
  });

  it('toggling a stream on paints its colour where its mask is, and toggling it off restores the image', async () => {
    for (const stream of ['ggo', 'effusion'] as const) {
      const volume = masks[stream];
      if (!volume) throw new Error(`no ${stream} masks`);
      const { slice, pixels } = sliceWithMostLabel(volume, 1);
      expect(pixels, `${stream} has a mask somewhere in the sample`).toBeGreaterThan(200);
      // Masks come in the series order; the viewer shows the same order (its slice label).
      expect(volume.instanceIds[slice]).toBe(instanceIds[slice]);
      await goToSlice(app, slice, sliceCount);
      for (const other of ['ggo', 'consolidation', 'effusion', 'all'] as const) await setStreamChecked(app, other, false);
      const off = await captureElement(app.page, VIEWPORT.axial, `analysis-${stream}-off`);
      await setStreamChecked(app, stream, true);
      const on = await captureElement(app.page, VIEWPORT.axial, `analysis-${stream}-on`);
      const projected = projectMask(volume, slice, [1], on);
      const change = overlayChange(off, on, projected, STREAM_COLORS[stream]);
      console.info(`${stream} on slice ${slice + 1}: ${JSON.stringify(change)}`);
      expect(change.changed, `${stream} changed pixels`).toBeGreaterThan(100);
      expect(change.insideMask, `${stream} changes lie on its mask`).toBeGreaterThan(0.9);
      expect(change.maskCovered, `${stream} mask interior is painted`).toBeGreaterThan(0.8);
      expect(change.towardsColour, `${stream} pixels move towards its colour`).toBeGreaterThan(0.9);
      await setStreamChecked(app, stream, false);
      const offAgain = await captureElement(app.page, VIEWPORT.axial, `analysis-${stream}-off-again`);
      expect(diffStats(off, offAgain).changedFraction).toBeLessThan(0.0005);
    }
  });

  it('shows the masks in the coronal and sagittal views too', async () => {
    // The coronal and sagittal views cut the volume through its centre (the crosshair):
    // pick the stream with the most mask pixels on those two planes.
    const onCentralPlanes = (volume: SeriesMasks) => {
      const size = volume.rows * volume.columns;
      let coronal = 0;
      let sagittal = 0;
      for (let slice = 0; slice < volume.slices; slice++) {
        const base = slice * size;
        for (let i = 0; i < volume.columns; i++) if (volume.labels[base + Math.floor(volume.rows / 2) * volume.columns + i]) coronal++;
        for (let i = 0; i < volume.rows; i++) if (volume.labels[base + i * volume.columns + Math.floor(volume.columns / 2)]) sagittal++;
      }
      return { coronal, sagittal };
    };
    const candidates = (['ggo', 'consolidation', 'effusion'] as const).map((stream) => {
      const volume = masks[stream];
      if (!volume) throw new Error(`no ${stream} masks`);
      return { stream, ...onCentralPlanes(volume) };
    });
    const best = candidates.sort((a, b) => b.coronal + b.sagittal - (a.coronal + a.sagittal))[0];
    if (!best) throw new Error('no stream');
    expect(best.coronal + best.sagittal, 'the sample has mask pixels on the central planes').toBeGreaterThan(20);
    for (const stream of ['ggo', 'consolidation', 'effusion', 'all'] as const) await setStreamChecked(app, stream, false);
    const off = { coronal: await captureElement(app.page, VIEWPORT.coronal, 'analysis-coronal-off'), sagittal: await captureElement(app.page, VIEWPORT.sagittal, 'analysis-sagittal-off') };
    await setStreamChecked(app, best.stream, true);
    const on = { coronal: await captureElement(app.page, VIEWPORT.coronal, 'analysis-coronal-on'), sagittal: await captureElement(app.page, VIEWPORT.sagittal, 'analysis-sagittal-on') };
    console.info(`${best.stream} on the central planes: ${JSON.stringify(best)}`);
    if (best.coronal > 20) expect(diffStats(off.coronal, on.coronal).changedFraction, 'coronal shows the mask').toBeGreaterThan(0.0002);
    if (best.sagittal > 20) expect(diffStats(off.sagittal, on.sagittal).changedFraction, 'sagittal shows the mask').toBeGreaterThan(0.0002);
  });

  it('changes the blend with the opacity slider (keyboard on the slider)', async () => {
    const volume = masks.effusion;
    if (!volume) throw new Error('no effusion masks');
    const { slice } = sliceWithMostLabel(volume, 1);
    await goToSlice(app, slice, sliceCount);
    await setStreamChecked(app, 'effusion', true);
    const slider = app.page.locator('[data-testid="mask-opacity"]');
    await slider.focus();
    await app.page.keyboard.press('Home');
    for (let i = 0; i < 4; i++) await app.page.keyboard.press('ArrowRight');
    await expect.poll(() => slider.inputValue()).toBe('0.2');
    await settle(app.page);
    const faint = await captureElement(app.page, VIEWPORT.axial, 'analysis-opacity-20');
    await app.page.keyboard.press('End');
    await expect.poll(() => slider.inputValue()).toBe('1');
    await settle(app.page);
    const opaque = await captureElement(app.page, VIEWPORT.axial, 'analysis-opacity-100');
    const projected = projectMask(volume, slice, [1], opaque);
    const faintDistance = distanceToColour(faint, projected, STREAM_COLORS.effusion);
    const opaqueDistance = distanceToColour(opaque, projected, STREAM_COLORS.effusion);
    console.info(`effusion colour distance: opacity 0.2 ${faintDistance.toFixed(1)}, opacity 1 ${opaqueDistance.toFixed(1)}`);
    expect(opaqueDistance).toBeLessThan(faintDistance - 40);
    expect(opaqueDistance).toBeLessThan(25);
    expect(await app.page.textContent('[data-testid="mask-controls"]')).toContain('100 %');
    // Back to the default half blend for the screenshots that follow.
    for (let i = 0; i < 10; i++) await app.page.keyboard.press('ArrowLeft');
    await expect.poll(() => slider.inputValue()).toBe('0.5');
    // The slider keeps the keyboard while focused (arrows, Home/End); a reader clicks away.
    await slider.blur();
  });

  it('recolours a stream with its colour picker and draws outlines instead of fill on request', async () => {
    const volume = masks.ggo;
    if (!volume) throw new Error('no ggo masks');
    const { slice } = sliceWithMostLabel(volume, 1);
    await goToSlice(app, slice, sliceCount);
    for (const stream of ['ggo', 'consolidation', 'effusion', 'all'] as const) await setStreamChecked(app, stream, false);
    const off = await captureElement(app.page, VIEWPORT.axial, 'analysis-colour-off');
    await app.page.locator('[data-testid="color-ggo"]').fill('#0050ff');
    await setStreamChecked(app, 'ggo', true);
    const blue = await captureElement(app.page, VIEWPORT.axial, 'analysis-colour-blue');
    const projected = projectMask(volume, slice, [1], blue);
    const recoloured = overlayChange(off, blue, projected, [0, 80, 255]);
    expect(recoloured.insideMask).toBeGreaterThan(0.9);
    expect(recoloured.towardsColour, 'GGO now drawn in the picked blue').toBeGreaterThan(0.9);
    // The panel's legend and bars follow the new colour too.
    expect(await app.page.locator('[data-manifestation="ggo"] .swatch').first().evaluate((element) => getComputedStyle(element).backgroundColor)).toBe('rgb(0, 80, 255)');

    await app.page.click('[data-testid="style-outline"]');
    await settle(app.page);
    const outline = await captureElement(app.page, VIEWPORT.axial, 'analysis-outline');
    const outlined = overlayChange(off, outline, projected, [0, 80, 255]);
    console.info(`fill ${JSON.stringify(recoloured)} outline ${JSON.stringify(outlined)}`);
    expect(outlined.changed, 'outlines are drawn').toBeGreaterThan(50);
    expect(outlined.insideMask).toBeGreaterThan(0.9);
    expect(outlined.changed, 'an outline paints fewer pixels than the fill').toBeLessThan(recoloured.changed * 0.8);
    await app.page.click('[data-testid="style-fill"]');
    await app.page.locator('[data-testid="color-ggo"]').fill('#ffdd00');
    await settle(app.page);
  });

  it('toggles streams with Shift+1..4 and lists the volumes and slice counts of the report', async () => {
    await app.page.locator(VIEWPORT.axial).hover();
    const ggoBox = app.page.locator('[data-testid="toggle-ggo"]');
    const was = await ggoBox.isChecked();
    await app.page.keyboard.press('Shift+Digit1');
    await expect.poll(() => ggoBox.isChecked()).toBe(!was);
    await app.page.keyboard.press('Shift+Digit1');
    await expect.poll(() => ggoBox.isChecked()).toBe(was);
    const allBox = app.page.locator('[data-testid="toggle-all"]');
    const allWas = await allBox.isChecked();
    await app.page.keyboard.press('Shift+Digit4');
    await expect.poll(() => allBox.isChecked()).toBe(!allWas);
    await app.page.keyboard.press('Shift+Digit4');
    for (const stream of ['ggo', 'consolidation', 'effusion'] as const) {
      const extent = report.result.streams.find((summary) => summary.stream === stream)?.manifestations[stream];
      if (!extent) throw new Error(`no ${stream} extent`);
      expect(await app.page.textContent(`[data-testid="slices-${stream}"]`)).toBe(String(extent.sliceCount));
      const shown = (await app.page.textContent(`[data-testid="volume-${stream}"]`)) ?? '';
      const ml = Number(shown.replace(' mL', ''));
      expect(extent.volumeMl).not.toBeNull();
      expect(Math.abs(ml - (extent.volumeMl ?? 0))).toBeLessThanOrEqual(extent.volumeMl !== null && extent.volumeMl < 10 ? 0.05 : 0.5);
    }
    // The sample is a DICOM CT: the masks on screen are gated to anatomy, and the panel says so.
    expect(report.result.anatomicalGate?.applied).toBe(true);
    expect(await app.page.textContent('[data-testid="gate-note"]')).toContain('limited to the lungs');
    await captureElement(app.page, '[data-testid="mask-controls"]', 'analysis-mask-controls');
  });

  it('compares the all-class model with the specialized streams: a B flip and a per-class Dice', async () => {
    const allMasks = masks.all;
    if (!allMasks) throw new Error('no all-class masks');
    const volume = masks.effusion;
    if (!volume) throw new Error('no effusion masks');
    const { slice } = sliceWithMostLabel(volume, 1);
    await goToSlice(app, slice, sliceCount);
    await app.page.setChecked('[data-testid="compare-mode"]', true);
    await settle(app.page);
    expect(await app.page.locator('[data-testid="toggle-all"]').isChecked()).toBe(false);
    expect(await app.page.locator('[data-testid="toggle-effusion"]').isChecked()).toBe(true);
    const specialized = await captureElement(app.page, VIEWPORT.axial, 'analysis-compare-specialized');
    await app.page.locator(VIEWPORT.axial).hover();
    await app.page.keyboard.press('b');
    await expect.poll(() => app.page.locator('[data-testid="toggle-all"]').isChecked()).toBe(true);
    expect(await app.page.locator('[data-testid="toggle-effusion"]').isChecked()).toBe(false);
    await settle(app.page);
    const allClass = await captureElement(app.page, VIEWPORT.axial, 'analysis-compare-all');
    // The two models disagree somewhere on this slice (the paper's point); if they agreed
    // perfectly, the flip would show nothing and this check would say so.
    expect(diffStats(specialized, allClass).changedFraction).toBeGreaterThan(0.0005);
    // Dice per class, computed here from the engine's masks, independently of the renderer.
    for (const manifestation of MANIFESTATIONS) {
      const binary = masks[manifestation];
      if (!binary) continue;
      let both = 0;
      let a = 0;
      let b = 0;
      for (let i = 0; i < binary.labels.length; i++) {
        const inA = binary.labels[i] !== 0;
        const inB = allMasks.labels[i] === ALL_CLASS_LABELS[manifestation];
        if (inA) a++;
        if (inB) b++;
        if (inA && inB) both++;
      }
      const shown = (await app.page.textContent(`[data-testid="dice-${manifestation}"]`)) ?? '';
      expect(shown).toBe(a + b === 0 ? '–' : ((2 * both) / (a + b)).toFixed(2));
    }
    await capturePage(app.page, 'analysis-compare');
    await captureElement(app.page, '[data-testid="mask-controls"]', 'analysis-compare-panel');
    await app.page.keyboard.press('b');
    await app.page.setChecked('[data-testid="compare-mode"]', false);
  });

  it('lists the AI shortcuts in the help overlay', async () => {
    await app.page.keyboard.press('F1');
    const help = (await app.page.textContent('[data-testid="help"]')) ?? '';
    expect(help).toContain('Analyze the series on screen');
    for (const key of ['Shift+1', 'Shift+2', 'Shift+3', 'Shift+4']) expect(help).toContain(key);
    await app.page.keyboard.press('Escape');
  });

  it('cancels a re-run for real: finished as cancelled, no progress afterwards, earlier result kept', async () => {
    const eventsBefore = app.events.length;
    app.emit('app:menu-command', { command: 'analyze' });
    await app.page.waitForSelector(`${PANEL}[data-state="running"]`, { timeout: 10_000 });
    await app.page.waitForFunction(() => document.querySelector('[data-action="cancel-analysis"]:not([disabled])') !== null, undefined, { timeout: 30_000 });
    // Let the engine get properly into the work before pulling the plug.
    await expect
      .poll(() => app.events.slice(eventsBefore).filter((event) => event.event === 'analysis:progress' && (event.payload as { stage: string }).stage === 'manifestations').length, { timeout: 60_000 })
      .toBeGreaterThan(0);
    await app.page.click('[data-action="cancel-analysis"]');
    await expect
      .poll(() => app.events.slice(eventsBefore).find((event) => event.event === 'analysis:finished')?.payload as { status: string; jobId: string } | undefined, { timeout: 30_000 })
      .toMatchObject({ status: 'cancelled' });
    const finished = app.events.slice(eventsBefore).find((event) => event.event === 'analysis:finished')?.payload as { jobId: string };
    const finishedAt = app.events.findIndex((event, index) => index >= eventsBefore && event.event === 'analysis:finished');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const later = app.events.slice(finishedAt + 1).filter((event) => event.event === 'analysis:progress' && (event.payload as { jobId: string }).jobId === finished.jobId);
    expect(later).toEqual([]);
    const progressBefore = app.events.slice(eventsBefore, finishedAt).filter((event) => event.event === 'analysis:progress');
    const lastProgress = progressBefore.at(-1)?.payload as { stage: string; done: number; total: number } | undefined;
    // It stopped before the end of the work, not after.
    expect(lastProgress && !(lastProgress.stage === 'segmentation' && lastProgress.done === lastProgress.total)).toBe(true);
    await app.page.waitForSelector(`${PANEL}[data-state="done"]`);
    expect(await app.page.textContent('[data-testid="analysis-message"]')).toContain('cancelled');
    const kept = await app.invoke('analysis:get-result', { seriesId });
    expect(kept?.createdAt).toBe(report.createdAt);
    await captureElement(app.page, PANEL, 'analysis-cancelled');
  });

  it('re-runs with another choice of streams and shows only those masks', async () => {
    for (const stream of ['ggo', 'consolidation', 'all'] as const) {
      await app.page.locator('[data-testid="stream-choice"] label', { hasText: stream === 'all' ? 'All-class' : stream === 'ggo' ? 'GGO' : 'Consolidation' }).locator('input').setChecked(false);
    }
    await app.page.click('[data-action="analyze"]');
    await app.page.waitForSelector(`${PANEL}[data-state="running"]`, { timeout: 10_000 });
    await waitForMasks(app, ['effusion']);
    const rerun = await app.invoke('analysis:get-result', { seriesId });
    expect(rerun?.streams).toEqual(['effusion']);
    expect(await app.page.locator('[data-testid="toggle-ggo"]').count()).toBe(0);
    expect(await app.page.locator('[data-testid="toggle-effusion"]').count()).toBe(1);
    if (rerun) report = rerun;
  });

  it('shows only the recognition panel for a chest X-ray, and brings the CT result back on return', async () => {
    xrayDir = mkdtempSync(join(tmpdir(), 'pleura-xray-'));
    copyFileSync(XRAY_FIXTURE, join(xrayDir, 'chest-dx.dcm'));
    const generation = await displayGeneration(app.page);
    await app.dropPath('[data-testid="shell"]', xrayDir);
    await waitForDisplay(app.page, generation);
    expect(await app.page.getAttribute('.grid', 'data-layout')).toBe('stack');
    expect(await app.page.textContent('[data-testid="recognition"]')).toContain('Not analysed yet');
    await app.page.click('[data-action="analyze"]');
    await app.page.waitForSelector(`${PANEL}[data-state="done"]`, { timeout: 120_000 });
    const xraySeriesId = (await app.page.getAttribute('.grid', 'data-series-id')) ?? '';
    const xray = await app.invoke('analysis:get-result', { seriesId: xraySeriesId });
    if (!xray?.result.recognition) throw new Error('no X-ray recognition');
    expect(await app.page.getAttribute('[data-testid="verdict"]', 'data-verdict4')).toBe(xray.result.recognition.verdict4);
    expect(await numberIn(app, 'p2-covid19')).toBeCloseTo(xray.result.recognition.probabilities.p2.covid19, 6);
    for (const absent of ['manifestation-bars', 'slice-plot', 'mask-controls', 'stream-choice', 'compare']) {
      expect(await app.page.locator(`[data-testid="${absent}"]`).count(), `${absent} hidden for X-ray`).toBe(0);
    }
    await capturePage(app.page, 'analysis-xray');

    // Back to the CT: its result comes back (analysis:get-result) with its masks.
    const back = await displayGeneration(app.page);
    await app.page.click('[data-action="open-sample"]');
    await waitForDisplay(app.page, back);
    await waitForMasks(app, ['effusion']);
    expect(await numberIn(app, 'bar-effusion-max')).toBeCloseTo(report.result.manifestations?.max.effusion ?? Number.NaN, 6);
  });

  it('had no uncaught errors, console errors or CSP violations', () => {
    expect(app.problems()).toEqual([]);
  });
});
