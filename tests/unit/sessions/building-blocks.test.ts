import { appendFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProbabilityCsv, redactIdentifiers } from '../../../src/main/services/export';
import { AuditLog, readAudit } from '../../../src/main/services/sessions/audit-log';
import { writeFileAtomic } from '../../../src/main/services/sessions/atomic-write';
import { commonFolderOf, isInside } from '../../../src/main/services/sessions/study-ref';
import { tempDir } from './support/harness';

const cleanups: string[] = [];
afterEach(async () => {
  for (const dir of cleanups.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('audit log', () => {
  it('cuts off a torn last line (a crash mid-append) and keeps the chain valid for later appends', async () => {
    const dir = await tempDir('audit');
    cleanups.push(dir);
    const path = join(dir, 'audit.jsonl');
    const log = await AuditLog.open(path);
    await log.append({ actor: 'A', action: 'session-created', layerId: null });
    await log.append({ actor: 'A', action: 'opinion-set', layerId: 'reader-1', detail: { manifestation: 'ggo', to: 'agree' } });
    await appendFile(path, '{"seq":3,"at":"2026-');
    expect((await readAudit(path)).problems).toEqual(['The last line is incomplete (the app stopped while writing it).']);
    const reopened = await AuditLog.open(path);
    await reopened.append({ actor: 'B', action: 'reader-added', layerId: 'reader-2' });
    const view = await readAudit(path);
    expect(view.chainValid).toBe(true);
    expect(view.problems).toEqual([]);
    expect(view.entries.map((entry) => [entry.seq, entry.actor])).toEqual([
      [1, 'A'],
      [2, 'A'],
      [3, 'B'],
    ]);
  });

  it('reports a removed line', async () => {
    const dir = await tempDir('audit');
    cleanups.push(dir);
    const path = join(dir, 'audit.jsonl');
    const log = await AuditLog.open(path);
    for (const actor of ['A', 'B', 'C']) await log.append({ actor, action: 'findings-set', layerId: 'reader-1' });
    const lines = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, [lines[0], lines[2], ''].join('\n'));
    const view = await readAudit(path);
    expect(view.chainValid).toBe(false);
    expect(view.problems[0]).toMatch(/does not link/);
  });
});

describe('atomic writes', () => {
  it('replaces a file whole and leaves no temp files behind', async () => {
    const dir = await tempDir('atomic');
    cleanups.push(dir);
    const path = join(dir, 'session.json');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, 'second, longer content');
    expect(await readFile(path, 'utf8')).toBe('second, longer content');
    expect(await readdir(dir)).toEqual(['session.json']);
    await expect(writeFileAtomic(join(dir, 'missing-folder', 'x.json'), 'x')).rejects.toThrow();
  });
});

describe('anonymisation of free text', () => {
  it('removes name parts, the ID and the birth date in the usual spellings', () => {
    const patient = { name: 'DOE^JANE^Q', id: 'MRN-0042', birthDate: '19450312', sex: 'F' };
    const text = 'Jane Doe (MRN-0042), born 12.03.1945 / 1945-03-12: effusion.';
    expect(redactIdentifiers(text, patient)).toBe('[removed] [removed] ([removed]), born [removed] / [removed]: effusion.');
    // Whole words only.
    expect(redactIdentifiers('Li: clinical picture of Li', { name: 'LI^WEI', id: '7', birthDate: '', sex: '' })).toBe('[removed]: clinical picture of [removed]');
  });
});

describe('probability CSV', () => {
  it('quotes text and neutralises spreadsheet formulas', () => {
    const csv = buildProbabilityCsv({
      series: null,
      anonymise: false,
      slices: [{ slice: 1, sopInstanceUid: '=HYPERLINK("x")', maskPixels: { ggo: 3, consolidation: null, effusion: 0 } }],
    });
    const [, row] = csv.split('\r\n');
    expect(row).toBe(`1,"'=HYPERLINK(""x"")",,,,,,,,,,3,,0`);
  });
});

describe('study folder checks', () => {
  it('finds the folder holding every file and tells inside from beside', () => {
    expect(commonFolderOf(['/data/study/a/1.dcm', '/data/study/b/2.dcm'])).toBe('/data/study');
    expect(isInside('/data/study/x.pleura', '/data/study')).toBe(true);
    expect(isInside('/data/study', '/data/study')).toBe(true);
    expect(isInside('/data/study-2/x.pleura', '/data/study')).toBe(false);
    expect(isInside('/data/..hidden/x', '/data')).toBe(true);
  });
});
