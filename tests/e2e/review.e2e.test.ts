/**
 * Second-opinion review, end to end: the built renderer in headless Chromium against the
 * real sessions, analysis (real ONNX models) and export services, on a copy of the
 * bundled sample chest CT. Reader 1 reviews the AI result on workstation A; the study is
 * then moved and reader 2 opens the session on workstation B (its own userData), finds
 * the study by UID in the new folder, sees reader 1's layer and adds their own; a
 * restart of B after an autosave offers recovery. Exports are validated with dciodvfy
 * and pdftotext. Screenshots land in tests/e2e/artifacts/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLE_PATH, startTestApp, type TestApp } from './support/testApp';
import { capturePage, captureElement, diffStats } from './support/screenshots';
import { VIEWPORT, settle, sliceIndex, voiLabel, waitForDisplay } from './support/viewer';
import { analyseDisplayedSeries, changedSlices, dragAcross, opinionButton, pixelsPerSlice, openSessionId, sessionPath, waitForSaveStatus } from './support/review';

const READER_1 = 'Dr Ada Moreno';
const READER_2 = 'Dr Bea Okafor';
const FINDINGS_1 = 'Bilateral peripheral ground-glass opacities in 4 lobes.';
const IMPRESSION_1 = 'Pattern compatible with COVID-19 pneumonia; no effusion.';

function dciodvfyErrors(path: string): string[] {
  const run = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
  if (run.error) throw new Error(`dciodvfy (dicom3tools) is required: ${run.error.message}`);
  const output = `${run.stdout}${run.stderr}`;
  // The report names the IOD it checked: proof it ran on a Segmentation.
  expect(output).toMatch(/^Segmentation$/m);
  return output.split('\n').filter((line) => /^Error/.test(line));
}

function pdfText(path: string): string {
  return execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
}

describe('second-opinion review sessions', () => {
  let work: string;
  let studyA: string;
  let studyB: string;
  let exportsDir: string;
  let userDataA: string;
  let userDataB: string;
  let app: TestApp;
  let sessionId = '';
  let sessionDir = '';
  let patientName = '';
  let editedSlice = -1;
  let readerOnePixels = 0;

  beforeAll(async () => {
    if (!DEFAULT_SAMPLE_PATH) throw new Error('resources/sample is missing: the review e2e needs the bundled sample CT.');
    work = await mkdtemp(join(tmpdir(), 'pleura-review-e2e-'));
    studyA = join(work, 'workstation-a/studies/chest');
    studyB = join(work, 'workstation-b/imports/chest-copy');
    exportsDir = join(work, 'exports');
    userDataA = join(work, 'workstation-a/profile');
    userDataB = join(work, 'workstation-b/profile');
    await Promise.all([mkdir(exportsDir, { recursive: true }), mkdir(userDataA, { recursive: true }), mkdir(userDataB, { recursive: true })]);
    await cp(DEFAULT_SAMPLE_PATH, studyA, { recursive: true });

    app = await startTestApp({ samplePath: null, userData: userDataA });
    app.platform.answerPickFolder(studyA);
    await app.page.click('[data-action="open-folder"]');
    await waitForDisplay(app.page, 0);
  });

  afterAll(async () => {
    await app?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('starts a review of the analysed series from the panel, with the AI as a read-only layer', async () => {
    const hint = app.page.locator('[data-testid="start-hint"]');
    await expect.poll(() => hint.textContent()).toContain('no AI result yet');
    await analyseDisplayedSeries(app);
    await expect.poll(() => hint.textContent()).toContain('AI result of this series joins');

    await app.page.fill('[data-testid="reader-name"]', READER_1);
    await app.page.click('[data-action="start-review"]');
    sessionId = await openSessionId(app.page);
    sessionDir = await sessionPath(app.page);
    expect(sessionDir.startsWith(join(userDataA, 'sessions'))).toBe(true);

    const session = await app.invoke('sessions:get', { sessionId });
    patientName = session.study.patient.name;
    expect(patientName.length).toBeGreaterThan(3);
    expect(session.ai?.streams).toEqual(expect.arrayContaining(['ggo', 'consolidation', 'effusion', 'all']));
    expect(session.readers.map((r) => r.readerName)).toEqual([READER_1]);
    expect(await app.page.textContent('[data-testid="layer"][data-layer-id="ai"]')).toContain('AI second opinion');
    expect(await app.page.textContent('[data-testid="current-reader"]')).toContain(READER_1);
    // The AI's probability is shown next to each manifestation.
    expect(await app.page.textContent('[data-testid="opinion-row"][data-manifestation="ggo"]')).toMatch(/AI \d+%/);
  });

  it('records an opinion per manifestation and shows the session as unsaved', async () => {
    await opinionButton(app.page, 'ggo', 'agree').click();
    await expect.poll(() => opinionButton(app.page, 'ggo', 'agree').getAttribute('aria-pressed')).toBe('true');
    await opinionButton(app.page, 'consolidation', 'uncertain').click();
    await expect.poll(() => opinionButton(app.page, 'consolidation', 'uncertain').getAttribute('aria-pressed')).toBe('true');
    await opinionButton(app.page, 'effusion', 'disagree').click();
    await expect.poll(() => opinionButton(app.page, 'effusion', 'disagree').getAttribute('aria-pressed')).toBe('true');
    // Changing one's mind replaces the opinion.
    await opinionButton(app.page, 'effusion', 'agree').click();
    await expect.poll(() => opinionButton(app.page, 'effusion', 'agree').getAttribute('aria-pressed')).toBe('true');
    expect(await opinionButton(app.page, 'effusion', 'disagree').getAttribute('aria-pressed')).toBe('false');

    const session = await app.invoke('sessions:get', { sessionId });
    expect(session.readers[0]?.opinions).toEqual({ ggo: 'agree', consolidation: 'uncertain', effusion: 'agree' });
    expect(await app.page.getAttribute('[data-testid="save-status"]', 'data-dirty')).toBe('true');
    expect(await app.page.textContent('[data-testid="save-status"]')).toContain('Unsaved changes');
  });

  it('sends findings and impression after a pause in typing', async () => {
    const windowBefore = await voiLabel(app.page, VIEWPORT.axial);
    await app.page.click('[data-testid="findings"]');
    await app.page.keyboard.type(FINDINGS_1, { delay: 5 });
    await app.page.fill('[data-testid="impression"]', IMPRESSION_1);
    await expect
      .poll(async () => (await app.invoke('sessions:get', { sessionId })).readers[0], { timeout: 10_000 })
      .toMatchObject({ findings: FINDINGS_1, impression: IMPRESSION_1 });
    // The digit typed in the text box went into the text, not to the viewer's window presets (keys 1-4).
    expect(await app.page.inputValue('[data-testid="findings"]')).toBe(FINDINGS_1);
    expect(await voiLabel(app.page, VIEWPORT.axial)).toBe(windowBefore);
  });

  it('paints and erases the reader’s own GGO mask with the brush on the axial slice on screen', async () => {
    await app.page.waitForSelector('[data-testid="review-masks"]');
    await app.page.selectOption('[data-testid="mask-stream"]', 'ggo');
    const ai = await app.invoke('sessions:get-mask', { sessionId, layerId: 'ai', stream: 'ggo' });
    if (!ai.labels) throw new Error('the AI layer has no GGO mask');
    const aiPixels = pixelsPerSlice(ai.labels, ai.rows, ai.columns).reduce((a, b) => a + b, 0);
    editedSlice = await sliceIndex(app.page, VIEWPORT.axial);
    const before = await captureElement(app.page, VIEWPORT.axial, 'review-brush-before');

    await app.page.click('[data-action="mask-brush"]');
    await expect.poll(() => app.page.getAttribute('[data-action="mask-brush"]', 'aria-pressed')).toBe('true');
    await dragAcross(app.page, VIEWPORT.axial);
    await app.page.waitForSelector('[data-testid="review-masks"][data-strokes="1"]', { timeout: 20_000 });
    await settle(app.page);
    const painted = await captureElement(app.page, VIEWPORT.axial, 'review-brush-painted');
    // The stroke is drawn over the CT: a band about 120 x 12 px across the middle of the view
    // (the whole view is about 480 x 860 px) changed colour.
    expect(diffStats(before, painted).changedFraction).toBeGreaterThan(0.002);

    const afterBrush = await app.invoke('sessions:get-mask', { sessionId, layerId: 'reader-1', stream: 'ggo' });
    if (!afterBrush.labels) throw new Error('reader 1 has no GGO mask after the stroke');
    // Started from the AI's mask; only the slice on screen changed, and it gained pixels.
    expect(changedSlices(ai.labels, afterBrush.labels, ai.rows, ai.columns)).toEqual([editedSlice]);
    const brushedPixels = pixelsPerSlice(afterBrush.labels, ai.rows, ai.columns).reduce((a, b) => a + b, 0);
    expect(brushedPixels - aiPixels).toBeGreaterThan(500);
    const session = await app.invoke('sessions:get', { sessionId });
    expect(session.readers[0]?.editedStreams).toEqual(['ggo']);
    expect(await app.page.textContent('[data-testid="mask-status"]')).toContain(`${brushedPixels.toLocaleString('en-US')} px`);

    await app.page.click('[data-action="mask-eraser"]');
    await expect.poll(() => app.page.getAttribute('[data-action="mask-eraser"]', 'aria-pressed')).toBe('true');
    await dragAcross(app.page, VIEWPORT.axial, 30);
    await app.page.waitForSelector('[data-testid="review-masks"][data-strokes="2"]', { timeout: 20_000 });
    const afterEraser = await app.invoke('sessions:get-mask', { sessionId, layerId: 'reader-1', stream: 'ggo' });
    if (!afterEraser.labels) throw new Error('reader 1 lost the GGO mask');
    const erasedPixels = pixelsPerSlice(afterEraser.labels, ai.rows, ai.columns).reduce((a, b) => a + b, 0);
    expect(erasedPixels).toBeLessThan(brushedPixels - 100);
    expect(erasedPixels).toBeGreaterThan(aiPixels);
    readerOnePixels = erasedPixels;
    await app.page.click('[data-action="mask-eraser"]');
    await expect.poll(() => app.page.getAttribute('[data-action="mask-eraser"]', 'aria-pressed')).toBe('false');
    await captureElement(app.page, VIEWPORT.axial, 'review-brush-erased');
  });

  it('saves the session to its folder and shows it as saved', async () => {
    await app.page.click('[data-action="save-session"]');
    await waitForSaveStatus(app.page, 'saved');
    expect(await app.page.textContent('[data-testid="save-status"]')).toContain('Saved');
    const onDisk = JSON.parse(await readFile(join(sessionDir, 'session.json'), 'utf8')) as {
      revision: number;
      readers: Array<{ findings: string; opinions: unknown; masks: { file: string } | null }>;
    };
    expect(onDisk.revision).toBe(2);
    expect(onDisk.readers[0]?.findings).toBe(FINDINGS_1);
    expect(onDisk.readers[0]?.opinions).toEqual({ ggo: 'agree', consolidation: 'uncertain', effusion: 'agree' });
    // Reader 1's edited mask is its own DICOM SEG in the session folder.
    expect(onDisk.readers[0]?.masks?.file).toMatch(/^reader-1\.r2\.seg\.dcm$/);
    expect(dciodvfyErrors(join(sessionDir, onDisk.readers[0]?.masks?.file ?? 'missing'))).toEqual([]);
  });

  it('exports the AI SEG, the PDF report and the CSV through save dialogs, and anonymises on request', async () => {
    const exportTo = async (action: string, path: string) => {
      const before = await app.page.locator('[data-testid="export-written"]').count();
      app.platform.answerPickSavePath(path);
      await app.page.click(`[data-action="${action}"]`);
      await expect.poll(() => app.page.locator('[data-testid="export-written"]').count(), { timeout: 60_000 }).toBe(before + 1);
    };
    await app.page.click('[data-testid="exports"] summary');
    await app.page.selectOption('[data-testid="seg-layer"]', 'ai');
    await exportTo('export-seg', join(exportsDir, 'ai.seg.dcm'));
    await exportTo('export-pdf', join(exportsDir, 'report.pdf'));
    await exportTo('export-csv', join(exportsDir, 'slices.csv'));
    await app.page.selectOption('[data-testid="seg-layer"]', 'reader-1');
    await exportTo('export-seg', join(exportsDir, 'reader-1.seg.dcm'));
    await app.page.check('[data-testid="anonymise"]');
    await app.page.selectOption('[data-testid="seg-layer"]', 'ai');
    await exportTo('export-seg', join(exportsDir, 'ai-anon.seg.dcm'));
    await exportTo('export-pdf', join(exportsDir, 'report-anon.pdf'));
    expect(app.platform.unansweredDialogs).toEqual([]);

    expect(dciodvfyErrors(join(exportsDir, 'ai.seg.dcm'))).toEqual([]);
    expect(dciodvfyErrors(join(exportsDir, 'ai-anon.seg.dcm'))).toEqual([]);
    expect(dciodvfyErrors(join(exportsDir, 'reader-1.seg.dcm'))).toEqual([]);
    // The reader's SEG says who drew it.
    expect((await readFile(join(exportsDir, 'reader-1.seg.dcm'))).includes(Buffer.from(READER_1, 'latin1'))).toBe(true);

    const report = pdfText(join(exportsDir, 'report.pdf'));
    expect(report).toContain('Research use only');
    expect(report).toContain(`Reader: ${READER_1}`);
    expect(report).toContain(FINDINGS_1);
    expect(report).toMatch(/Ground-glass opacity\s+Agree/);
    expect(report).toMatch(/Consolidation\s+Uncertain/);
    const csv = await readFile(join(exportsDir, 'slices.csv'), 'utf8');
    expect(csv.trim().split('\n')).toHaveLength(1 + 64);

    // The plain exports carry the patient's name; the anonymised ones do not.
    const name = patientName.split('^')[0] ?? patientName;
    expect(report).toContain(name);
    expect((await readFile(join(exportsDir, 'ai.seg.dcm'))).includes(Buffer.from(name, 'latin1'))).toBe(true);
    expect(pdfText(join(exportsDir, 'report-anon.pdf'))).not.toContain(name);
    expect((await readFile(join(exportsDir, 'ai-anon.seg.dcm'))).includes(Buffer.from(name, 'latin1'))).toBe(false);
    await app.page.uncheck('[data-testid="anonymise"]');
  });

  it('signs only with the reader’s own name, then shows the layer read-only', async () => {
    await app.page.fill('[data-testid="sign-name"]', 'Dr Someone Else');
    expect(await app.page.isDisabled('[data-action="sign"]')).toBe(true);
    await app.page.fill('[data-testid="sign-name"]', READER_1);
    await app.page.click('[data-action="sign"]');
    await app.page.waitForSelector('[data-testid="signed"]');
    expect(await app.page.textContent('[data-testid="signed"]')).toContain(`Signed by ${READER_1}`);
    expect(await opinionButton(app.page, 'ggo', 'disagree').isDisabled()).toBe(true);
    expect(await app.page.getAttribute('[data-testid="findings"]', 'readonly')).not.toBeNull();
    const session = await app.invoke('sessions:get', { sessionId });
    expect(session.readers[0]?.editable).toBe(false);
    expect(session.dirty).toBe(false);
    await capturePage(app.page, 'review-reader1-signed');
  });

  it('lists every change in the audit log with an intact hash chain', async () => {
    await app.page.click('[data-testid="audit"] summary');
    await app.page.waitForSelector('[data-testid="audit-chain"][data-valid="true"]');
    const actions = await app.page.locator('[data-testid="audit-entry"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action')));
    for (const action of ['session-created', 'reader-added', 'opinion-set', 'findings-set', 'session-saved', 'exported', 'layer-signed']) {
      expect(actions, action).toContain(action);
    }
    await captureElement(app.page, '[data-testid="audit"]', 'review-audit-log');
    expect(app.problems()).toEqual([]);
    await app.close();
  });

  it('opens the session on a second workstation, finds the moved study by UID, and shows reader 1 as a layer', async () => {
    // The study now lives elsewhere; workstation B has never seen it or the session.
    await mkdir(join(studyB, '..'), { recursive: true });
    await rename(studyA, studyB);
    app = await startTestApp({ samplePath: null, userData: userDataB });
    app.platform.answerPickFolder(sessionDir);
    await app.page.click('[data-action="open-session"]');
    const locate = app.page.locator('[data-testid="locate-study"]');
    await locate.waitFor();
    expect(await locate.textContent()).toContain(patientName);
    await capturePage(app.page, 'review-locate-study');

    // A wrong folder is refused in plain words; the right one is accepted.
    app.platform.answerPickFolder(exportsDir);
    await app.page.click('[data-action="locate-study"]');
    await app.page.waitForSelector('[data-testid="locate-problem"]');
    app.platform.answerPickFolder(studyB);
    await app.page.click('[data-action="locate-study"]');
    sessionId = await openSessionId(app.page);
    await waitForDisplay(app.page, 0);

    const layer1 = app.page.locator('[data-testid="layer"][data-layer-id="reader-1"]');
    expect(await layer1.textContent()).toContain(READER_1);
    expect(await layer1.textContent()).toContain(FINDINGS_1);
    expect(await layer1.textContent()).toContain('Signed');
    // Reader 1 signed: there is nobody to continue as, only a new reader to join.
    await app.page.waitForSelector('[data-testid="reader-picker"]');
    expect(await app.page.locator('[data-action="continue-as"]').count()).toBe(0);
  });

  it('toggles reader 1’s layer and adds reader 2’s own opinions and findings', async () => {
    // Reader 1's edited GGO mask is its own layer over the CT, on the slice they edited.
    await app.page.selectOption('[data-testid="mask-stream"]', 'ggo');
    expect(await sliceIndex(app.page, VIEWPORT.axial)).toBe(editedSlice);
    const own = await app.invoke('sessions:get-mask', { sessionId, layerId: 'reader-1', stream: 'ggo' });
    expect(pixelsPerSlice(own.labels ?? new Uint8Array(), own.rows, own.columns).reduce((a, b) => a + b, 0)).toBe(readerOnePixels);
    await expect.poll(() => app.page.evaluate(() => document.querySelector('[data-testid="review-masks"]') !== null)).toBe(true);
    await settle(app.page);
    const withLayer = await captureElement(app.page, VIEWPORT.axial, 'review-reader2-layer-on');
    const toggle = app.page.locator('[data-testid="layer"][data-layer-id="reader-1"] [data-testid="layer-toggle"]');
    await toggle.uncheck();
    await expect.poll(() => app.page.locator('[data-testid="layer"][data-layer-id="reader-1"] [data-testid="layer-details"]').count()).toBe(0);
    await settle(app.page);
    const withoutLayer = await captureElement(app.page, VIEWPORT.axial, 'review-reader2-layer-off');
    // Hiding reader 1's layer takes what is left of their brush stroke off the image.
    expect(diffStats(withLayer, withoutLayer).changedFraction).toBeGreaterThan(0.001);
    await toggle.check();
    await app.page.locator('[data-testid="layer"][data-layer-id="reader-1"] [data-testid="layer-details"]').waitFor();
    await settle(app.page);
    expect(diffStats(withLayer, await captureElement(app.page, VIEWPORT.axial, 'review-reader2-layer-back')).changedFraction).toBeLessThan(0.002);

    await app.page.fill('[data-testid="new-reader-name"]', READER_2);
    await app.page.click('[data-action="join-reader"]');
    await app.page.waitForSelector('[data-testid="current-reader"][data-layer-id="reader-2"]');
    // Reader 1's opinion stays visible next to reader 2's own buttons.
    expect(await app.page.textContent('[data-testid="opinion-row"][data-manifestation="ggo"] [data-testid="other-opinion"]')).toContain(`${READER_1}: Agree`);
    await opinionButton(app.page, 'ggo', 'agree').click();
    await opinionButton(app.page, 'effusion', 'disagree').click();
    await expect.poll(() => opinionButton(app.page, 'effusion', 'disagree').getAttribute('aria-pressed')).toBe('true');
    await app.page.fill('[data-testid="findings"]', 'Agree with reader 1 on GGO.');
    // The audit view, once open, follows each change: the save appears without a refresh.
    await app.page.click('[data-testid="audit"] summary');
    await app.page.waitForSelector('[data-testid="audit-chain"][data-valid="true"]');
    const saves = () => app.page.locator('[data-testid="audit-entry"][data-action="session-saved"]').count();
    const savesBefore = await saves();
    await app.page.click('[data-action="save-session"]');
    await waitForSaveStatus(app.page, 'saved');
    await expect.poll(saves).toBe(savesBefore + 1);
    const located = app.page.locator('[data-testid="audit-entry"][data-action="study-located"]').first();
    expect(await located.textContent()).toContain(studyB);
    expect(await app.page.locator('[data-testid="audit-entry"][data-action="reader-added"]').first().textContent()).toContain(READER_2);
    await app.page.click('[data-testid="audit"] summary');

    const session = await app.invoke('sessions:get', { sessionId });
    expect(session.readers.map((r) => [r.readerName, r.opinions.ggo, r.opinions.effusion, r.editable])).toEqual([
      [READER_1, 'agree', 'agree', false],
      [READER_2, 'agree', 'disagree', true],
    ]);
    expect(session.readers[1]?.findings).toBe('Agree with reader 1 on GGO.');
    await capturePage(app.page, 'review-reader2');

    // The report now holds both readers: reader 1 signed, reader 2 not yet.
    await app.page.click('[data-testid="exports"] summary');
    app.platform.answerPickSavePath(join(exportsDir, 'report-two-readers.pdf'));
    await app.page.click('[data-action="export-pdf"]');
    await app.page.waitForSelector('[data-testid="export-written"][data-kind="pdf"]', { timeout: 60_000 });
    const report = pdfText(join(exportsDir, 'report-two-readers.pdf'));
    expect(report).toContain(`Reader: ${READER_1}`);
    expect(report).toContain(`Signed by ${READER_1}`);
    expect(report).toContain(`Reader: ${READER_2}`);
    expect(report).toContain('Agree with reader 1 on GGO.');
    expect(report).toMatch(/Pleural effusion\s+Disagree/);
    await app.page.click('[data-testid="exports"] summary');
  });

  it('autosaves unsaved work and offers to recover it after a restart', async () => {
    await opinionButton(app.page, 'consolidation', 'disagree').click();
    await waitForSaveStatus(app.page, 'unsaved');
    // Reader 2 paints their own GGO layer, which starts from the AI's mask, not reader 1's.
    await app.page.keyboard.press('d'); // the brush shortcut
    await expect.poll(() => app.page.getAttribute('[data-action="mask-brush"]', 'aria-pressed')).toBe('true');
    await dragAcross(app.page, VIEWPORT.axial, 40, 80);
    await app.page.waitForSelector('[data-testid="review-masks"][data-strokes="1"]', { timeout: 20_000 });
    await app.page.keyboard.press('d');
    await expect.poll(() => app.page.getAttribute('[data-action="mask-brush"]', 'aria-pressed')).toBe('false');
    const ai = await app.invoke('sessions:get-mask', { sessionId, layerId: 'ai', stream: 'ggo' });
    const readerTwo = await app.invoke('sessions:get-mask', { sessionId, layerId: 'reader-2', stream: 'ggo' });
    if (!ai.labels || !readerTwo.labels) throw new Error('GGO masks missing');
    expect(changedSlices(ai.labels, readerTwo.labels, ai.rows, ai.columns)).toEqual([editedSlice]);
    const readerTwoPixels = pixelsPerSlice(readerTwo.labels, ai.rows, ai.columns).reduce((a, b) => a + b, 0);
    await capturePage(app.page, 'review-reader2-brush');
    // The autosave timer runs every 30 s while there are unsaved changes.
    await expect.poll(() => app.page.textContent('[data-testid="save-status"]'), { timeout: 45_000, interval: 500 }).toContain('autosaved');
    expect(app.problems()).toEqual([]);
    await app.close(); // a crash: no save, no close

    app = await startTestApp({ samplePath: null, userData: userDataB });
    const prompt = app.page.locator('[data-testid="recover-prompt"]');
    await prompt.waitFor({ timeout: 30_000 });
    expect(await prompt.textContent()).toContain(READER_2);
    await capturePage(app.page, 'review-recover-prompt');
    await app.page.click('[data-action="recover"]');
    sessionId = await openSessionId(app.page);
    await waitForDisplay(app.page, 0);
    await waitForSaveStatus(app.page, 'unsaved');
    await app.page.click('[data-action="continue-as"][data-layer-id="reader-2"]');
    expect(await opinionButton(app.page, 'consolidation', 'disagree').getAttribute('aria-pressed')).toBe('true');
    // The autosave held reader 2's unsaved brush stroke; reader 1's signed layer is untouched.
    const recoveredTwo = await app.invoke('sessions:get-mask', { sessionId, layerId: 'reader-2', stream: 'ggo' });
    expect(pixelsPerSlice(recoveredTwo.labels ?? new Uint8Array(), ai.rows, ai.columns).reduce((a, b) => a + b, 0)).toBe(readerTwoPixels);
    const recoveredOne = await app.invoke('sessions:get-mask', { sessionId, layerId: 'reader-1', stream: 'ggo' });
    expect(pixelsPerSlice(recoveredOne.labels ?? new Uint8Array(), ai.rows, ai.columns).reduce((a, b) => a + b, 0)).toBe(readerOnePixels);
    await app.page.keyboard.press('Control+s');
    await waitForSaveStatus(app.page, 'saved');
    expect(await app.page.locator('[data-testid="recover-prompt"]').count()).toBe(0);
    expect((await app.invoke('sessions:list-recoverable', {})).sessions).toEqual([]);

    // Closing the session takes its layers off the CT and brings back the start view.
    await app.page.selectOption('[data-testid="mask-stream"]', 'ggo');
    // AI, reader 1 and reader 2 each have a GGO layer.
    await app.page.waitForSelector('[data-testid="review-masks"][data-stream="ggo"][data-layers-shown="3"]');
    await settle(app.page);
    const open = await captureElement(app.page, VIEWPORT.axial, 'review-before-close');
    await app.page.click('[data-action="close-session"]');
    await app.page.waitForSelector('[data-testid="review-start"]');
    await settle(app.page);
    const closed = await captureElement(app.page, VIEWPORT.axial, 'review-after-close');
    expect(diffStats(open, closed).changedFraction).toBeGreaterThan(0.001);
    expect(await app.page.textContent('[data-testid="recent-session"]')).toContain(READER_2);
    expect(app.problems()).toEqual([]);
  });

  it('attaches the AI result to a session started before the analysis ran', async () => {
    // Workstation B has not analysed the series in this run.
    await expect.poll(() => app.page.textContent('[data-testid="start-hint"]')).toContain('no AI result yet');
    await app.page.fill('[data-testid="reader-name"]', READER_2);
    await app.page.click('[data-action="start-review"]');
    const laterId = await openSessionId(app.page);
    expect(laterId).not.toBe(sessionId);
    const aiCard = app.page.locator('[data-testid="layer"][data-layer-id="ai"]');
    expect(await aiCard.textContent()).toContain('No AI layer');
    expect(await app.page.isDisabled('[data-action="attach-analysis"]')).toBe(true);

    await analyseDisplayedSeries(app);
    await expect.poll(() => app.page.isDisabled('[data-action="attach-analysis"]')).toBe(false);
    await app.page.click('[data-action="attach-analysis"]');
    await expect.poll(() => aiCard.textContent()).toContain('AI second opinion');
    const attached = await app.invoke('sessions:get', { sessionId: laterId });
    expect(attached.ai?.streams).toEqual(expect.arrayContaining(['ggo', 'all']));
    expect(await app.page.textContent('[data-testid="opinion-row"][data-manifestation="ggo"]')).toMatch(/AI \d+%/);
    const audit = await app.invoke('sessions:get-audit', { sessionId: laterId });
    expect(audit.entries.map((entry) => entry.action)).toContain('analysis-attached');
    expect(app.problems()).toEqual([]);
  });
});
