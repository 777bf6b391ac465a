/**
 * The viewer, end to end: the built renderer in headless Chromium (SwiftShader WebGL)
 * against the real main-process services, on the bundled sample chest CT. Every check
 * looks at what a clinician would see: pixels in screenshots and the on-image overlays.
 * Screenshots land in tests/e2e/artifacts/ for a human to look at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLE_PATH, startTestApp, type TestApp } from './support/testApp';
import { captureElement, diffStats, pixelStats, regionStats } from './support/screenshots';
import { VIEWPORT, centreOf, settle, sliceIndex, voiLabel, waitForDisplay, waitForSliceChange } from './support/viewer';

/** Records every text the progress indicator shows, from the first paint on. */
const RECORD_PROGRESS = `
  window.__progressSeen = [];
  new MutationObserver(() => {
    const text = document.querySelector('[data-testid="progress"]')?.textContent?.trim();
    if (text && window.__progressSeen.at(-1) !== text) window.__progressSeen.push(text);
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

describe('viewer on the sample chest CT', () => {
  let app: TestApp;

  beforeAll(async () => {
    if (!DEFAULT_SAMPLE_PATH) throw new Error('resources/sample is missing: the viewer e2e needs the bundled sample CT.');
    // `npm start` passes --open-sample: the app opens the sample by itself.
    app = await startTestApp({ samplePath: DEFAULT_SAMPLE_PATH, openSampleOnStart: true, initScripts: [RECORD_PROGRESS] });
    await waitForDisplay(app.page, 0);
  });

  it('opened the sample on start and showed scan and volume loading progress', async () => {
    const seen = await app.page.evaluate(() => (window as unknown as { __progressSeen: string[] }).__progressSeen);
    expect(seen.some((text) => /Loading volume \d+ \/ 64/.test(text))).toBe(true);
    expect(app.events.some((event) => event.event === 'studies:scan-progress')).toBe(true);
    expect(await app.page.getAttribute('.grid', 'data-layout')).toBe('mpr');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('lists the study with patient, date, modality, slice count and a thumbnail', async () => {
    const study = app.page.locator('[data-testid="study"]').first();
    const text = (await study.textContent()) ?? '';
    expect(text).toContain('Lung_Dx-A0001');
    expect(text).toMatch(/\d{4}-\d{2}-\d{2}/);
    const series = study.locator('[data-testid="series"]').first();
    const seriesText = (await series.textContent()) ?? '';
    expect(seriesText).toContain('CT');
    expect(seriesText).toMatch(/\d+ slices/);
    await app.page.waitForSelector('[data-testid="series"] [data-status="ready"]', { timeout: 30_000 });
    const thumb = pixelStats(await captureElement(app.page, '[data-testid="series"] canvas', 'viewer-thumbnail'));
    expect(thumb.nonBlankFraction).toBeGreaterThan(0.2);
    expect(thumb.distinctLevels).toBeGreaterThan(50);
  });

  it('shows the CT as axial, coronal and sagittal views with anatomy in each', async () => {
    const shots = {
      axial: await captureElement(app.page, VIEWPORT.axial, 'viewer-axial'),
      coronal: await captureElement(app.page, VIEWPORT.coronal, 'viewer-coronal'),
      sagittal: await captureElement(app.page, VIEWPORT.sagittal, 'viewer-sagittal'),
    };
    for (const [plane, shot] of Object.entries(shots)) {
      // The centre of each view is body, not background: a real greyscale image with
      // many levels and strong contrast (lungs against soft tissue and bone).
      const centre = regionStats(shot, { x: 0.3, y: 0.3, width: 0.4, height: 0.4 });
      expect(centre.distinctLevels, `${plane} grey levels`).toBeGreaterThan(100);
      expect(centre.sd, `${plane} contrast`).toBeGreaterThan(25);
      expect(centre.nonBlankFraction, `${plane} non-blank`).toBeGreaterThan(0.5);
    }
    // Three different planes, not one image three times.
    expect(diffStats(shots.coronal, shots.sagittal).changedFraction).toBeGreaterThan(0.2);
    expect(await app.page.textContent(`${VIEWPORT.axial} [data-testid="slice-label"]`)).toMatch(/Im \d+ \/ \d+/);
  });

  it('changes the picture with the window presets (keys 1-4) and shows the new window', async () => {
    await app.page.keyboard.press('1');
    await expect.poll(() => voiLabel(app.page, VIEWPORT.axial)).toBe('W 1500 L -600');
    await settle(app.page);
    const lung = await captureElement(app.page, VIEWPORT.axial, 'viewer-window-lung');
    await app.page.keyboard.press('2');
    await expect.poll(() => voiLabel(app.page, VIEWPORT.axial)).toBe('W 350 L 50');
    await settle(app.page);
    const mediastinum = await captureElement(app.page, VIEWPORT.axial, 'viewer-window-mediastinum');
    // The lungs go black in a mediastinal window: much of the image changes and it darkens.
    expect(diffStats(lung, mediastinum).changedFraction).toBeGreaterThan(0.15);
    expect(pixelStats(mediastinum).mean).toBeLessThan(pixelStats(lung).mean);
    // All three planes follow the preset.
    await expect.poll(() => voiLabel(app.page, VIEWPORT.coronal)).toBe('W 350 L 50');
    await app.page.click('[data-preset="bone"]');
    await expect.poll(() => voiLabel(app.page, VIEWPORT.axial)).toBe('W 1800 L 400');
  });

  it('changes the window by dragging with the window/level tool', async () => {
    await app.page.keyboard.press('2');
    await expect.poll(() => voiLabel(app.page, VIEWPORT.axial)).toBe('W 350 L 50');
    const before = await voiLabel(app.page, VIEWPORT.axial);
    const centre = await centreOf(app.page, VIEWPORT.axial);
    await app.page.mouse.move(centre.x, centre.y);
    await app.page.mouse.down();
    await app.page.mouse.move(centre.x + 60, centre.y + 40, { steps: 6 });
    await app.page.mouse.up();
    await expect.poll(() => voiLabel(app.page, VIEWPORT.axial)).not.toBe(before);
  });

  it('scrolls through slices with the wheel and the keyboard, and the image follows', async () => {
    const centre = await centreOf(app.page, VIEWPORT.axial);
    await app.page.keyboard.press('1');
    await expect.poll(() => voiLabel(app.page, VIEWPORT.axial)).toBe('W 1500 L -600');
    await settle(app.page);
    const start = await sliceIndex(app.page, VIEWPORT.axial);
    const first = await captureElement(app.page, VIEWPORT.axial, 'viewer-slice-start');
    await app.page.mouse.move(centre.x, centre.y);
    await app.page.mouse.wheel(0, 100);
    const afterWheel = await waitForSliceChange(app.page, VIEWPORT.axial, start);
    expect(Math.abs(afterWheel - start)).toBeGreaterThanOrEqual(1);

    const location = async () => Number(/Loc (-?[\d.]+) mm/.exec((await app.page.textContent(`${VIEWPORT.axial} [data-testid="slice-location"]`)) ?? '')?.[1]);
    const locationBefore = await location();
    await app.page.keyboard.press('PageDown');
    const afterPage = await waitForSliceChange(app.page, VIEWPORT.axial, afterWheel);
    expect(Math.abs(afterPage - afterWheel)).toBe(10);
    // Ten 5 mm slices further along the body.
    expect(Math.abs((await location()) - locationBefore)).toBeCloseTo(50, 0);
    await app.page.keyboard.press('ArrowUp');
    expect(Math.abs((await waitForSliceChange(app.page, VIEWPORT.axial, afterPage)) - afterPage)).toBe(1);
    await settle(app.page);
    const moved = await captureElement(app.page, VIEWPORT.axial, 'viewer-slice-moved');
    // 45-50 mm further along the body: visibly different anatomy.
    expect(diffStats(first, moved).changedFraction).toBeGreaterThan(0.05);
    expect(await app.page.textContent(`${VIEWPORT.axial} [data-testid="slice-label"]`)).toContain(`Im ${(await sliceIndex(app.page, VIEWPORT.axial)) + 1} /`);
  });

  it('jumps to the first and last slice (Home/End) of the series, in the series own order', async () => {
    const seriesId = (await app.page.getAttribute('.grid', 'data-series-id')) ?? '';
    const detail = await app.invoke('studies:get-series', { seriesId });
    const z = (index: number) => detail.instances[index]?.imagePositionPatient?.[2];
    const location = async () => Number(/Loc (-?[\d.]+) mm/.exec((await app.page.textContent(`${VIEWPORT.axial} [data-testid="slice-location"]`)) ?? '')?.[1]);
    const now = await sliceIndex(app.page, VIEWPORT.axial);
    await app.page.keyboard.press('End');
    const last = await waitForSliceChange(app.page, VIEWPORT.axial, now);
    expect(last).toBe(detail.instances.length - 1);
    expect(await location()).toBeCloseTo(z(last) ?? Number.NaN, 1);
    const lastShot = await captureElement(app.page, VIEWPORT.axial, 'viewer-slice-last');
    await app.page.keyboard.press('Home');
    expect(await waitForSliceChange(app.page, VIEWPORT.axial, last)).toBe(0);
    expect(await location()).toBeCloseTo(z(0) ?? Number.NaN, 1);
    await settle(app.page);
    const firstShot = await captureElement(app.page, VIEWPORT.axial, 'viewer-slice-first');
    // 315 mm apart: the lung apices and the upper abdomen look nothing alike.
    expect(diffStats(firstShot, lastShot).changedFraction).toBeGreaterThan(0.1);
  });

  it('resets camera and window with R', async () => {
    const scrolledTo = await sliceIndex(app.page, VIEWPORT.axial);
    await app.page.keyboard.press('3');
    await expect.poll(() => voiLabel(app.page, VIEWPORT.axial)).toBe('W 1800 L 400');
    await app.page.keyboard.press('r');
    // The sample's own window (WC -600 / WW 1600 in its DICOM header) is back ...
    await expect.poll(() => voiLabel(app.page, VIEWPORT.axial)).toBe('W 1600 L -600');
    // ... and the camera is back on the middle of the volume.
    const middle = await waitForSliceChange(app.page, VIEWPORT.axial, scrolledTo);
    expect(Math.abs(middle - 32)).toBeLessThanOrEqual(1);
  });

  it('measures an elliptical ROI with HU mean, SD and area', async () => {
    await app.page.click('[data-tool="EllipticalROI"]');
    const centre = await centreOf(app.page, VIEWPORT.axial);
    await app.page.mouse.move(centre.x - 30, centre.y - 30);
    await app.page.mouse.down();
    await app.page.mouse.move(centre.x + 30, centre.y + 30, { steps: 5 });
    await app.page.mouse.up();
    const measurement = app.page.locator('[data-testid="measurement"][data-tool="EllipticalROI"]').first();
    await measurement.waitFor({ timeout: 30_000 });
    const text = (await measurement.textContent()) ?? '';
    expect(text).toMatch(/Mean -?\d+(\.\d)? HU/);
    expect(text).toMatch(/SD \d+(\.\d)? HU/);
    expect(text).toMatch(/Area \d+(\.\d)? mm/);
    await captureElement(app.page, VIEWPORT.axial, 'viewer-ellipse');
    await app.page.click('[data-tool="WindowLevel"]');
  });

  it('lists the keyboard shortcuts on ? and F1', async () => {
    await app.page.keyboard.press('?');
    const help = app.page.locator('[data-testid="help"]');
    await help.waitFor();
    expect(await help.textContent()).toContain('PageUp / PageDown');
    await app.page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    await app.page.keyboard.press('F1');
    await help.waitFor();
    await app.page.keyboard.press('Escape');
    // The menu's Help item arrives as an app:menu-command event.
    app.emit('app:menu-command', { command: 'show-help' });
    await help.waitFor();
    await app.page.keyboard.press('Escape');
  });

  it('had no uncaught errors, console errors or CSP violations', () => {
    expect(app.problems()).toEqual([]);
  });
});
