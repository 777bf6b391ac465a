import { spawn } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AUTOSAVE_FILE_NAME, AutosaveFile, SESSION_FILE_NAME, SessionFile } from '../../../src/common/sessions';
import { expectedMaskFor } from './support/crash-states';
import { copyStudy, tempDir, workstation } from './support/harness';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..', '..');
const KILLS = Number(process.env.PLEURA_CRASH_KILLS ?? 12);
const cleanups: string[] = [];
afterAll(async () => {
  for (const dir of cleanups) await rm(dir, { recursive: true, force: true });
});

interface ChildRun {
  /** Highest revision the child reported as saved before it died. */
  lastAcknowledged: number;
  savesSeen: number;
}

/** Starts the save loop, lets it save for `runMs` after its first save, then SIGKILLs it. */
function runAndKill(sessionPath: string, userData: string, runMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'support', 'save-loop.ts'), sessionPath, userData], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    let lastAcknowledged = 0;
    let savesSeen = 0;
    let timer: NodeJS.Timeout | null = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const lines = output.split('\n');
      output = lines.pop() ?? '';
      for (const line of lines) {
        const [word, value] = line.split(' ');
        if (word === 'saved') {
          lastAcknowledged = Number(value);
          savesSeen += 1;
          // The clock starts at the first completed save, so every run saves at least once
          // however slow the machine, and the kill lands at a random point of the loop after it.
          if (!timer) timer = setTimeout(() => child.kill('SIGKILL'), runMs);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ lastAcknowledged, savesSeen });
      else reject(new Error(`save loop exited by itself (code ${code}): ${errors}`));
    });
  });
}

function count(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) if (v) n++;
  return n;
}

describe('crash safety', () => {
  it(`never leaves a torn session when the saving process is killed at random moments (${KILLS} kills)`, async () => {
    const root = await tempDir('crash');
    cleanups.push(root);
    const studyFolder = await copyStudy(join(root, 'study'));
    const userData = join(root, 'userData');
    const setup = await workstation({ userData });
    const series = await setup.openStudy(studyFolder);
    const created = await setup.sessions.create({ studyInstanceUid: series.studyInstanceUid, seriesId: series.seriesId, readerName: 'Dr Crash' });
    await setup.sessions.close(created.sessionId);

    let previous = created.revision;
    let totalSaves = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      // Random moments: 0-700 ms into the save loop (one edit-autosave-save round takes tens of ms).
      const run = await runAndKill(created.path, userData, Math.floor(Math.random() * 700));
      totalSaves += run.savesSeen;

      // Files on disk are each complete: session.json and (if present) autosave.json parse and validate.
      const file = SessionFile.parse(JSON.parse(await readFile(join(created.path, SESSION_FILE_NAME), 'utf8')));
      const autosaveText = await readFile(join(created.path, AUTOSAVE_FILE_NAME), 'utf8').catch(() => null);
      if (autosaveText !== null) {
        const autosave = AutosaveFile.parse(JSON.parse(autosaveText));
        expect(autosave.baseRevision).toBeLessThanOrEqual(file.revision);
      }
      // The last complete state: at least what the child acknowledged, never older than before.
      expect(file.revision).toBeGreaterThanOrEqual(Math.max(run.lastAcknowledged, previous));
      expect(file.revision).toBeLessThanOrEqual(Math.max(run.lastAcknowledged, previous) + 1);

      // Reopen like a restarted app: the state is internally consistent (text and mask of the same revision).
      const ws = await workstation({ userData });
      const opened = await ws.sessions.open({ path: created.path });
      expect(opened.status).toBe('opened');
      if (opened.status !== 'opened') return;
      const reader = opened.session.readers[0]!;
      if (file.revision > 1) {
        expect(reader.findings).toBe(`state ${file.revision}`);
        expect(reader.impression).toBe(`impression ${file.revision}`);
        const mask = await ws.sessions.getMask(opened.session.sessionId, 'reader-1', 'ggo');
        const expected = expectedMaskFor(file.revision);
        expect(count(mask.labels!)).toBe(count(expected));
        expect(Buffer.compare(Buffer.from(mask.labels!), Buffer.from(expected))).toBe(0);
      }
      const audit = await ws.sessions.getAudit(opened.session.sessionId);
      expect(audit.chainValid, audit.problems.join('; ')).toBe(true);
      // Opening cleaned up: no temp files, only the mask files session.json names.
      const names = await readdir(created.path);
      expect(names.filter((name) => name.startsWith('.tmp-'))).toEqual([]);
      expect(names.filter((name) => name.endsWith('.seg.dcm')).sort()).toEqual([file.readers[0]!.masks?.file].filter(Boolean));
      await ws.sessions.close(opened.session.sessionId);
      previous = file.revision;
    }
    // The loop really saved while being killed (otherwise this test proves nothing).
    console.info(`crash test: ${KILLS} SIGKILLs, ${totalSaves} acknowledged saves, final revision ${previous}`);
    expect(totalSaves).toBeGreaterThanOrEqual(KILLS);
  }, 300_000);
});
