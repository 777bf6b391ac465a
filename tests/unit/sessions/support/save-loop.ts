/**
 * Child process for the crash test: opens a session and saves new states in a tight
 * loop (edit findings, autosave, edit a mask, save), printing "saved <revision>" after
 * each completed save, until the parent SIGKILLs it.
 * Usage: node --import tsx save-loop.ts <sessionPath> <userData>
 */
import { createStudiesService } from '../../../../src/main/services/ingest';
import { SessionService, studyPortOf } from '../../../../src/main/services/sessions';
import { expectedMaskFor } from './crash-states';

const [sessionPath, userData] = process.argv.slice(2);
if (!sessionPath || !userData) throw new Error('usage: save-loop.ts <sessionPath> <userData>');

const studies = createStudiesService({ recentsFile: null });
const sessions = new SessionService({
  userData,
  appVersion: '0.1.0-test',
  platform: {
    pickFolder: async () => null,
    pickSavePath: async () => null,
    printToPdf: async () => new Uint8Array(),
  },
  studies: studyPortOf(studies),
  analysis: { resultFor: () => null },
});

const opened = await sessions.open({ path: sessionPath });
if (opened.status !== 'opened') throw new Error(`could not open: ${opened.status}`);
const sessionId = opened.session.sessionId;
let revision = opened.session.revision;
process.stdout.write(`ready ${revision}\n`);
for (;;) {
  const next = revision + 1;
  await sessions.setFindings(sessionId, 'reader-1', `state ${next}`, `impression ${next}`);
  await sessions.autosave(sessionId, []);
  await sessions.saveMask(sessionId, { layerId: 'reader-1', stream: 'ggo', labels: expectedMaskFor(next) });
  const saved = await sessions.save(sessionId);
  revision = saved.revision;
  process.stdout.write(`saved ${revision}\n`);
}
