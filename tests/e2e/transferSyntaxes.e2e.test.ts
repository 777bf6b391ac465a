/**
 * Every transfer syntax of the cornerstoneWADOImageLoader test images displays: each file
 * is opened on its own (by drag-and-drop or the Open dialog, the two ways a user opens
 * files) and must render a non-blank image with no CSP violation, so the decode worker
 * and each WebAssembly codec are served and allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/testApp';
import { captureElement, regionStats } from './support/screenshots';
import { unpackTransferSyntaxFixtures, type UnpackedFixtures } from './support/fixtures';
import { VIEWPORT, displayGeneration, settle, sliceIndex, voiLabel, waitForDisplay, waitForSliceChange } from './support/viewer';

describe('transfer syntaxes', () => {
  let app: TestApp;
  let fixtures: UnpackedFixtures;

  beforeAll(async () => {
    fixtures = await unpackTransferSyntaxFixtures();
    app = await startTestApp({ samplePath: null });
  });

  afterAll(async () => {
    await app?.close();
    await fixtures?.remove();
  });

  it('finds the fixture files', () => {
    expect(fixtures.files.filter((file) => file.name.startsWith('CTImage.dcm_')).length).toBe(15);
  });

  it('displays every CT transfer syntax as a non-blank image', async () => {
    const displayable = fixtures.files.filter((file) => file.name !== 'no-pixel-data.dcm');
    const failures: string[] = [];
    for (const [index, file] of displayable.entries()) {
      const before = await displayGeneration(app.page);
      // Alternate the two ways of opening: dropped from the file manager, and the Open dialog (Ctrl+O).
      if (index % 2 === 0) {
        await app.dropPath('[data-testid="shell"]', file.folder);
      } else {
        app.platform.answerPickFolder(file.folder);
        await app.page.keyboard.press('Control+o');
      }
      try {
        await waitForDisplay(app.page, before, 60_000);
      } catch (error) {
        failures.push(`${file.name}: ${(error as Error).message}`);
        await app.page.evaluate(() => document.querySelector<HTMLButtonElement>('[data-testid="error"] button')?.click());
        continue;
      }
      if (file.name === 'no-pixel-spacing.dcm') {
        // A palette-colour ultrasound frame: mostly black, with coloured text and graphics.
        const shot = await captureElement(app.page, VIEWPORT.stack, `syntax-${file.name}`);
        const whole = regionStats(shot, { x: 0, y: 0.1, width: 1, height: 0.8 });
        if (whole.nonBlankFraction < 0.005 || whole.distinctLevels < 50) failures.push(`${file.name}: blank (${JSON.stringify(whole)})`);
        continue;
      }
      // CT files: the bone window (W 1800 L 400, i.e. -500..1300 HU) shows tissue as greys
      // whatever window the file carries (CT0012's own window turns its perfusion map white),
      // and only if the decoder applied the rescale to Hounsfield units.
      await app.page.keyboard.press('3');
      await expect.poll(() => voiLabel(app.page, VIEWPORT.stack)).toBe('W 1800 L 400');
      await settle(app.page);
      const shot = await captureElement(app.page, VIEWPORT.stack, `syntax-${file.name}`);
      const centre = regionStats(shot, { x: 0.25, y: 0.25, width: 0.5, height: 0.5 });
      if (centre.nonBlankFraction < 0.3 || centre.distinctLevels < 20) {
        failures.push(`${file.name}: blank (non-blank ${centre.nonBlankFraction.toFixed(2)}, ${centre.distinctLevels} levels)`);
      }
    }
    expect(failures).toEqual([]);
    expect(app.platform.unansweredDialogs).toEqual([]);
  });

  it('pages through the frames of a multi-frame file in the stack viewport', async () => {
    const multiFrame = fixtures.files.find((file) => file.name.startsWith('CT0012'));
    if (!multiFrame) throw new Error('CT0012 fixture missing');
    const before = await displayGeneration(app.page);
    await app.dropPath('[data-testid="shell"]', multiFrame.folder);
    await waitForDisplay(app.page, before, 60_000);
    expect(await app.page.getAttribute(VIEWPORT.stack, 'data-slice-count')).toBe('2');
    const start = await sliceIndex(app.page, VIEWPORT.stack);
    await app.page.keyboard.press(start === 0 ? 'ArrowDown' : 'ArrowUp');
    const moved = await waitForSliceChange(app.page, VIEWPORT.stack, start);
    expect(Math.abs(moved - start)).toBe(1);
    expect(await app.page.textContent(`${VIEWPORT.stack} [data-testid="slice-label"]`)).toContain(`Im ${moved + 1} / 2`);
  });

  it('lists what was opened under Recent, and reopens it from there', async () => {
    const recent = app.page.locator('[data-testid="recent"]');
    await recent.first().waitFor({ timeout: 10_000 });
    expect(await recent.count()).toBeGreaterThan(1);
    const before = await displayGeneration(app.page);
    await recent.nth(1).click();
    await waitForDisplay(app.page, before, 60_000);
    expect(await app.page.getAttribute('.grid', 'data-layout')).toBe('stack');
  });

  it('offers no "Open sample" when the sample is not installed', async () => {
    expect(await app.page.isDisabled('[data-action="open-sample"]')).toBe(true);
  });

  it('reports a file without pixel data as skipped, in words, and keeps the last image', async () => {
    const noPixels = fixtures.files.find((file) => file.name === 'no-pixel-data.dcm');
    if (!noPixels) throw new Error('no-pixel-data.dcm fixture missing');
    const seriesBefore = await app.page.getAttribute('.grid', 'data-series-id');
    await app.dropPath('[data-testid="shell"]', noPixels.folder);
    const error = app.page.locator('[data-testid="error"]');
    await error.waitFor({ timeout: 30_000 });
    const message = (await error.textContent()) ?? '';
    expect(message).toContain('no-pixel-data.dcm');
    // The ingest's reason, in words (this file's SOP class is a structured report).
    expect(message).toMatch(/not an image|no pixel data/i);
    // The skipped file is also listed in the browser, and the open study is still there.
    expect(await app.page.textContent('[data-testid="skipped"]')).toContain('1 file(s) skipped');
    expect(await app.page.locator('[data-testid="series"]').count()).toBeGreaterThan(0);
    expect(await app.page.getAttribute('.grid', 'data-series-id')).toBe(seriesBefore);
  });

  it('had no uncaught errors, console errors or CSP violations', () => {
    expect(app.problems()).toEqual([]);
  });
});
