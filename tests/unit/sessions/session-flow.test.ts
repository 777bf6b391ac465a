import { cp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIT_FILE_NAME, AUTOSAVE_FILE_NAME, SESSION_FILE_NAME, SessionFile } from '../../../src/common/sessions';
import { SessionError } from '../../../src/main/services/sessions';
import { copyStudy, countLabel, listTree, paintRect, PIXELS, tempDir, workstation } from './support/harness';

const cleanups: string[] = [];
async function scratch(prefix: string): Promise<string> {
  const dir = await tempDir(prefix);
  cleanups.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of cleanups.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<SessionError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SessionError);
  expect((error as SessionError).code).toBe(code);
  return error as SessionError;
}

/** A workstation with the fixture study copied to its own folder, analysed, and a session created. */
async function startReview(readerName = 'Dr Ada Moreno') {
  const root = await scratch('ws-a');
  const studyFolder = await copyStudy(join(root, 'studies', 'LUNG1-001'));
  const ws = await workstation({ userData: join(root, 'userData') });
  const series = await ws.openStudy(studyFolder);
  const analysis = await ws.analyse(series);
  const session = await ws.sessions.create({ studyInstanceUid: series.studyInstanceUid, seriesId: series.seriesId, readerName });
  return { root, studyFolder, ws, series, analysis, session };
}

describe('review sessions', () => {
  it('creates a session with the AI layer and a reader layer, outside the study folder', async () => {
    const pristine = await copyStudy(join(await scratch('pristine'), 'study'));
    const before = (await listTree(pristine)).map((path) => path.slice(pristine.length));
    const { ws, session, studyFolder, analysis, root } = await startReview();
    expect(session.path.startsWith(join(root, 'userData', 'sessions'))).toBe(true);
    expect(session.path.endsWith('.pleura')).toBe(true);
    expect(session.revision).toBe(1);
    expect(session.dirty).toBe(false);
    expect(session.study.slices).toBe(4);
    expect(session.study.instanceIds).toHaveLength(4);
    expect(session.ai?.streams).toEqual(['ggo', 'consolidation', 'effusion', 'all']);
    const effusionStat = session.ai?.maskStats.find((stat) => stat.stream === 'effusion' && stat.manifestation === 'effusion');
    const effusionPixels = countLabel(analysis.masks.find((mask) => mask.stream === 'effusion')!.labels);
    expect(effusionStat?.pixelCount).toBe(effusionPixels);
    // 0.9765625^2 mm2 x 3 mm per pixel.
    expect(effusionStat?.volumeMl).toBeCloseTo((effusionPixels * 0.9765625 * 0.9765625 * 3) / 1000, 1);
    expect(session.readers).toMatchObject([{ layerId: 'reader-1', readerName: 'Dr Ada Moreno', editable: true, signedAt: null, editedStreams: [] }]);

    // The AI masks come back exactly from the session's DICOM SEG.
    for (const stream of ['ggo', 'consolidation', 'effusion', 'all'] as const) {
      const mask = await ws.sessions.getMask(session.sessionId, 'ai', stream);
      expect(Buffer.compare(Buffer.from(mask.labels!), Buffer.from(analysis.masks.find((m) => m.stream === stream)!.labels))).toBe(0);
    }
    // Nothing was written next to the source images.
    expect((await listTree(studyFolder)).map((path) => path.slice(studyFolder.length))).toEqual(before);
  });

  it('refuses to create a session inside the study folder', async () => {
    const { ws, series, studyFolder } = await startReview();
    await rejectsWith(
      ws.sessions.create({ studyInstanceUid: series.studyInstanceUid, seriesId: series.seriesId, readerName: 'X', location: studyFolder }),
      'inside-study-folder',
    );
    await rejectsWith(
      ws.sessions.create({ studyInstanceUid: series.studyInstanceUid, seriesId: series.seriesId, readerName: 'X', location: join(studyFolder, 'reviews') }),
      'inside-study-folder',
    );
  });

  it('creates the session where the user picks in the save dialog, and says so when cancelled', async () => {
    const { ws, series, root } = await startReview();
    ws.saveAnswers.push(join(root, 'reviews', 'second look'));
    const picked = await ws.sessions.create({ studyInstanceUid: series.studyInstanceUid, seriesId: series.seriesId, readerName: 'X', location: null });
    expect(picked.path).toBe(join(root, 'reviews', 'second look.pleura'));
    expect(await readFile(join(picked.path, SESSION_FILE_NAME), 'utf8')).toContain('"format": "pleura-session"');
    ws.saveAnswers.push(null);
    await rejectsWith(ws.sessions.create({ studyInstanceUid: series.studyInstanceUid, seriesId: series.seriesId, readerName: 'X', location: null }), 'cancelled');
    // An existing, non-empty folder is never reused.
    ws.saveAnswers.push(join(root, 'reviews', 'second look.pleura'));
    await rejectsWith(ws.sessions.create({ studyInstanceUid: series.studyInstanceUid, seriesId: series.seriesId, readerName: 'X', location: null }), 'folder-not-empty');
  });

  it('keeps opinions, findings and an edited mask across save and reopen on a fresh workstation process', async () => {
    const { ws, session, root, studyFolder } = await startReview();
    const id = session.sessionId;
    await ws.sessions.setOpinion(id, 'reader-1', 'ggo', 'agree');
    await ws.sessions.setOpinion(id, 'reader-1', 'effusion', 'disagree');
    const edited = await ws.sessions.setFindings(id, 'reader-1', 'Bilateral GGO, right lower lobe.', 'Typical COVID-19 pattern.');
    expect(edited.dirty).toBe(true);
    // Brush: add a region to slice 1 of the GGO stream (a partial volume, from slice 1).
    const ai = await ws.sessions.getMask(id, 'ai', 'ggo');
    const slice = ai.labels!.slice(PIXELS, 2 * PIXELS);
    paintRect(slice, 0, 400, 400, 10, 10);
    const saved = await ws.sessions.saveMask(id, { layerId: 'reader-1', stream: 'ggo', labels: slice, startSlice: 1 });
    expect(saved.pixelCount).toBe(countLabel(ai.labels!) + 100);
    const after = await ws.sessions.save(id);
    expect(after).toMatchObject({ revision: 2, dirty: false });
    expect(after.readers[0]!.editedStreams).toEqual(['ggo']);

    // A new service instance (an app restart) reopens it; the study is found at its recorded folder.
    const restarted = await workstation({ userData: join(root, 'userData') });
    // Picking the session.json inside the folder opens the folder.
    const reopened = await restarted.sessions.open({ path: join(session.path, SESSION_FILE_NAME) });
    expect(reopened.status).toBe('opened');
    if (reopened.status !== 'opened') return;
    expect(reopened.session.study.lastKnownFolder).toBe(studyFolder);
    const reader = reopened.session.readers[0]!;
    expect(reader.opinions).toEqual({ ggo: 'agree', consolidation: null, effusion: 'disagree' });
    expect(reader.findings).toBe('Bilateral GGO, right lower lobe.');
    expect(reader.impression).toBe('Typical COVID-19 pattern.');
    const mask = await restarted.sessions.getMask(id, 'reader-1', 'ggo');
    expect(countLabel(mask.labels!)).toBe(saved.pixelCount);
    expect(mask.labels![PIXELS + 405 * 512 + 405]).toBe(1);
    // Unedited streams of a reader layer are absent (the UI shows the AI's).
    expect((await restarted.sessions.getMask(id, 'reader-1', 'effusion')).labels).toBeNull();
  });

  it('freezes a signed layer and records who did what in a hash-chained audit log', async () => {
    const { ws, session } = await startReview();
    const id = session.sessionId;
    await ws.sessions.setOpinion(id, 'reader-1', 'consolidation', 'uncertain');
    await rejectsWith(ws.sessions.sign(id, 'reader-1', 'Somebody Else'), 'reader-mismatch');
    const signed = await ws.sessions.sign(id, 'reader-1', 'dr ada moreno');
    expect(signed.readers[0]!.signedAt).not.toBeNull();
    expect(signed.readers[0]!.editable).toBe(false);
    expect(signed.dirty).toBe(false);
    await rejectsWith(ws.sessions.setOpinion(id, 'reader-1', 'ggo', 'agree'), 'layer-signed');
    await rejectsWith(ws.sessions.setFindings(id, 'reader-1', 'changed'), 'layer-signed');
    await rejectsWith(ws.sessions.saveMask(id, { layerId: 'reader-1', stream: 'ggo', labels: new Uint8Array(4 * PIXELS) }), 'layer-signed');
    await rejectsWith(ws.sessions.saveMask(id, { layerId: 'ai' as 'reader-1', stream: 'ggo', labels: new Uint8Array(4 * PIXELS) }), 'layer-read-only');

    const audit = await ws.sessions.getAudit(id);
    expect(audit.chainValid).toBe(true);
    expect(audit.entries.map((entry) => entry.action)).toEqual(['session-created', 'reader-added', 'opinion-set', 'layer-signed', 'session-saved']);
    expect(audit.entries[2]).toMatchObject({ actor: 'Dr Ada Moreno', layerId: 'reader-1', detail: { manifestation: 'consolidation', from: null, to: 'uncertain' } });

    // Editing a past line breaks the chain, and the service says so.
    const path = join(session.path, AUDIT_FILE_NAME);
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[2] = lines[2]!.replace('uncertain', 'agree');
    await writeFile(path, lines.join('\n'));
    const tampered = await ws.sessions.getAudit(id);
    expect(tampered.chainValid).toBe(false);
    expect(tampered.problems.join(' ')).toMatch(/Line 3 was changed/);
  });

  it('attaches an analysis that ran after the session was started, once', async () => {
    const root = await scratch('late-ai');
    const studyFolder = await copyStudy(join(root, 'study'));
    const ws = await workstation({ userData: join(root, 'userData') });
    const series = await ws.openStudy(studyFolder);
    const session = await ws.sessions.create({ studyInstanceUid: series.studyInstanceUid, seriesId: series.seriesId, readerName: 'Dr Ada Moreno' });
    expect(session.ai).toBeNull();
    await rejectsWith(ws.sessions.attachAnalysis(session.sessionId), 'no-analysis');
    const analysis = await ws.analyse(series);
    const attached = await ws.sessions.attachAnalysis(session.sessionId);
    expect(attached.ai?.streams).toHaveLength(4);
    expect(attached.revision).toBe(2);
    const effusion = await ws.sessions.getMask(session.sessionId, 'ai', 'effusion');
    expect(countLabel(effusion.labels!)).toBe(countLabel(analysis.masks.find((mask) => mask.stream === 'effusion')!.labels));
    await rejectsWith(ws.sessions.attachAnalysis(session.sessionId), 'ai-already-attached');
    const file = SessionFile.parse(JSON.parse(await readFile(join(session.path, SESSION_FILE_NAME), 'utf8')));
    expect(file.ai?.masks?.file).toBe('ai.seg.dcm');
  });

  it('refuses to overwrite a save made meanwhile by another workstation on a shared folder', async () => {
    const { ws, session, root } = await startReview();
    const other = await workstation({ userData: join(root, 'userData-2') });
    const opened = await other.sessions.open({ path: session.path });
    expect(opened.status).toBe('opened');
    await other.sessions.setFindings(session.sessionId, 'reader-1', 'Saved on workstation 2');
    await other.sessions.save(session.sessionId);
    await ws.sessions.setFindings(session.sessionId, 'reader-1', 'Saved on workstation 1');
    await rejectsWith(ws.sessions.save(session.sessionId), 'session-changed-elsewhere');
    const file = SessionFile.parse(JSON.parse(await readFile(join(session.path, SESSION_FILE_NAME), 'utf8')));
    expect(file.readers[0]!.findings).toBe('Saved on workstation 2');
    expect((await ws.sessions.get(session.sessionId)).readers[0]!.findings).toBe('Saved on workstation 1');
  });

  it('rejects masks of the wrong size or with labels the stream cannot hold', async () => {
    const { ws, session } = await startReview();
    await rejectsWith(ws.sessions.saveMask(session.sessionId, { layerId: 'reader-1', stream: 'ggo', labels: new Uint8Array(PIXELS + 3) }), 'mask-size');
    await rejectsWith(ws.sessions.saveMask(session.sessionId, { layerId: 'reader-1', stream: 'ggo', labels: new Uint8Array(PIXELS), startSlice: 4 }), 'mask-size');
    const bad = new Uint8Array(PIXELS);
    bad[10] = 2;
    await rejectsWith(ws.sessions.saveMask(session.sessionId, { layerId: 'reader-1', stream: 'ggo', labels: bad }), 'mask-labels');
    const allClass = new Uint8Array(PIXELS);
    allClass[10] = 3;
    await expect(ws.sessions.saveMask(session.sessionId, { layerId: 'reader-1', stream: 'all', labels: allClass, startSlice: 3 })).resolves.toMatchObject({ stream: 'all' });
  });

  it('autosaves unsaved work and offers it for recovery after a restart', async () => {
    const { ws, session, root } = await startReview();
    const id = session.sessionId;
    await ws.sessions.setFindings(id, 'reader-1', 'Unsaved findings');
    const mask = new Uint8Array(4 * PIXELS);
    paintRect(mask, 3, 10, 10, 5, 5);
    const autosaved = await ws.sessions.autosave(id, [{ layerId: 'reader-1', stream: 'consolidation', labels: mask }]);
    expect(autosaved.autosavedAt).not.toBeNull();
    // The app "crashes" here: no save. session.json still holds revision 1.
    const committed = SessionFile.parse(JSON.parse(await readFile(join(session.path, SESSION_FILE_NAME), 'utf8')));
    expect(committed.readers[0]!.findings).toBe('');

    const restarted = await workstation({ userData: join(root, 'userData') });
    const recoverable = await restarted.sessions.listRecoverable();
    expect(recoverable).toHaveLength(1);
    expect(recoverable[0]).toMatchObject({ sessionPath: session.path, sessionId: id, readers: ['Dr Ada Moreno'] });
    const recovered = await restarted.sessions.recover(session.path);
    expect(recovered.status).toBe('opened');
    if (recovered.status !== 'opened') return;
    expect(recovered.session.dirty).toBe(true);
    expect(recovered.session.readers[0]!.findings).toBe('Unsaved findings');
    expect(countLabel((await restarted.sessions.getMask(id, 'reader-1', 'consolidation')).labels!)).toBe(25);
    const saved = await restarted.sessions.save(id);
    expect(saved.revision).toBe(2);
    // Saved: nothing left to recover, autosave.json is gone.
    expect(await restarted.sessions.listRecoverable()).toEqual([]);
    await expect(readFile(join(session.path, AUTOSAVE_FILE_NAME))).rejects.toThrow();
    const audit = await restarted.sessions.getAudit(id);
    expect(audit.entries.map((entry) => entry.action)).toContain('autosave-recovered');
  });

  it('can discard an autosave instead of recovering it', async () => {
    const { ws, session, root } = await startReview();
    await ws.sessions.setOpinion(session.sessionId, 'reader-1', 'ggo', 'disagree');
    await ws.sessions.autosave(session.sessionId, []);
    const restarted = await workstation({ userData: join(root, 'userData') });
    expect(await restarted.sessions.listRecoverable()).toHaveLength(1);
    expect(await restarted.sessions.discardAutosave(session.path)).toEqual({ discarded: true });
    expect(await restarted.sessions.listRecoverable()).toEqual([]);
    // Picking the session.json inside the folder opens the folder.
    const reopened = await restarted.sessions.open({ path: join(session.path, SESSION_FILE_NAME) });
    expect(reopened.status === 'opened' && reopened.session.readers[0]!.opinions.ggo).toBeNull();
  });

  it('says clearly what is wrong with a folder that is not a usable session', async () => {
    const { ws, session } = await startReview();
    const empty = await scratch('not-a-session');
    await rejectsWith(ws.sessions.open({ path: empty }), 'not-a-session');
    const copy = join(await scratch('damaged'), 'copy.pleura');
    await cp(session.path, copy, { recursive: true });
    const file = JSON.parse(await readFile(join(copy, SESSION_FILE_NAME), 'utf8')) as { schemaVersion: number; ai: { masks: { file: string } } };
    // A changed mask file is detected by its hash.
    await writeFile(join(copy, file.ai.masks.file), 'garbage');
    const other = await workstation({ userData: join(await scratch('other'), 'userData') });
    await rejectsWith(other.sessions.open({ path: copy }), 'session-damaged');
    file.schemaVersion = 99;
    await writeFile(join(copy, SESSION_FILE_NAME), JSON.stringify(file));
    await rejectsWith(other.sessions.open({ path: copy }), 'session-too-new');
    await writeFile(join(copy, SESSION_FILE_NAME), '{"format":"pleura-session",');
    await rejectsWith(other.sessions.open({ path: copy }), 'session-damaged');
  });
});

describe('two readers on two workstations', () => {
  it('moves the session and study to another workstation, asks for the study folder, and keeps layers separate', async () => {
    const a = await startReview('Dr Ada Moreno');
    const id = a.session.sessionId;
    await a.ws.sessions.setOpinion(id, 'reader-1', 'ggo', 'agree');
    await a.ws.sessions.setOpinion(id, 'reader-1', 'consolidation', 'disagree');
    await a.ws.sessions.setFindings(id, 'reader-1', 'Peripheral GGO.', 'Probable COVID-19.');
    const erased = new Uint8Array(4 * PIXELS); // reader 1 erases the AI consolidation entirely
    await a.ws.sessions.saveMask(id, { layerId: 'reader-1', stream: 'consolidation', labels: erased });
    await a.ws.sessions.sign(id, 'reader-1', 'Dr Ada Moreno');

    // Workstation B: the study lives at another path; the session folder is copied over.
    const rootB = await scratch('ws-b');
    const studyB = await copyStudy(join(rootB, 'archive', 'ct', 'renamed-study'));
    const sessionB = join(rootB, 'shared', 'review.pleura');
    await cp(a.session.path, sessionB, { recursive: true });
    // Workstation A's study folder is not reachable from B.
    await rename(a.studyFolder, `${a.studyFolder}-offline`);
    const b = await workstation({ userData: join(rootB, 'userData') });

    const first = await b.sessions.open({ path: sessionB });
    expect(first).toMatchObject({ status: 'needs-study-folder', sessionPath: sessionB, problem: null, study: { slices: 4, lastKnownFolder: a.studyFolder } });
    // A wrong folder is explained, and the question is asked again.
    const wrong = await b.sessions.locateStudy({ sessionPath: sessionB, folder: join(rootB, 'shared') });
    expect(wrong.status).toBe('needs-study-folder');
    expect(wrong.status === 'needs-study-folder' && wrong.problem).toMatch(/No DICOM images/);
    // The user cancels the folder dialog.
    b.folderAnswers.push(null);
    expect(await b.sessions.locateStudy({ sessionPath: sessionB })).toEqual({ status: 'cancelled' });
    b.folderAnswers.push(join(rootB, 'archive'));
    const located = await b.sessions.locateStudy({ sessionPath: sessionB });
    expect(located.status).toBe('opened');
    if (located.status !== 'opened') return;
    const view = located.session;
    expect(view.study.lastKnownFolder).toBe(studyB);
    expect(view.study.instanceIds).toHaveLength(4);
    expect(b.studies.getSeries(view.study.seriesId!)?.instances[0]?.filePath.startsWith(studyB)).toBe(true);

    // Reader 2 sees the AI layer and reader 1's signed opinion and edits.
    expect(view.ai?.streams).toContain('consolidation');
    expect(view.readers[0]).toMatchObject({ readerName: 'Dr Ada Moreno', editable: false, opinions: { ggo: 'agree', consolidation: 'disagree', effusion: null }, findings: 'Peripheral GGO.' });
    expect(countLabel((await b.sessions.getMask(id, 'reader-1', 'consolidation')).labels!)).toBe(0);
    expect(countLabel((await b.sessions.getMask(id, 'ai', 'consolidation')).labels!)).toBe(500);

    const { layerId } = await b.sessions.addReader(id, 'Dr Ben Okafor');
    expect(layerId).toBe('reader-2');
    await b.sessions.setOpinion(id, layerId, 'ggo', 'agree');
    await b.sessions.setOpinion(id, layerId, 'consolidation', 'agree');
    const effusion = (await b.sessions.getMask(id, 'ai', 'effusion')).labels!;
    paintRect(effusion, 0, 0, 0, 4, 4);
    await b.sessions.saveMask(id, { layerId, stream: 'effusion', labels: effusion });
    await rejectsWith(b.sessions.setOpinion(id, 'reader-1', 'ggo', 'disagree'), 'layer-signed');
    const final = await b.sessions.sign(id, layerId, 'Dr Ben Okafor');
    expect(final.readers.map((reader) => [reader.layerId, reader.readerName, reader.signedAt !== null])).toEqual([
      ['reader-1', 'Dr Ada Moreno', true],
      ['reader-2', 'Dr Ben Okafor', true],
    ]);
    const file = SessionFile.parse(JSON.parse(await readFile(join(sessionB, SESSION_FILE_NAME), 'utf8')));
    expect(file.study.lastKnownFolder).toBe(studyB);
    expect(file.readers.map((reader) => reader.masks?.file)).toEqual([expect.stringMatching(/^reader-1\.r\d+\.seg\.dcm$/), expect.stringMatching(/^reader-2\.r\d+\.seg\.dcm$/)]);

    const audit = await b.sessions.getAudit(id);
    expect(audit.chainValid).toBe(true);
    const actors = audit.entries.filter((entry) => entry.action === 'layer-signed').map((entry) => entry.actor);
    expect(actors).toEqual(['Dr Ada Moreno', 'Dr Ben Okafor']);
    expect(audit.entries.some((entry) => entry.action === 'study-located' && entry.detail.folder === studyB)).toBe(true);
  });
});
