import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecentStudies } from '../../../src/main/services/ingest/recents';

const entry = (paths: string[], studyInstanceUids: string[], label = 'DOE^JANE — CHEST (1 series)') => ({
  paths,
  studyInstanceUids,
  label,
  openedAt: new Date().toISOString(),
});

describe('recent studies', () => {
  it('keeps one line per study: reopening it, even from another folder, moves it to the top', async () => {
    const recents = new RecentStudies(join(mkdtempSync(join(tmpdir(), 'pleura-recent-')), 'recent.json'));
    await recents.add(entry(['/studies/a'], ['1.2.3']));
    await recents.add(entry(['/studies/b'], ['4.5.6']));
    await recents.add(entry(['/moved/a'], ['1.2.3']));
    expect((await recents.list()).map((item) => item.paths)).toEqual([['/moved/a'], ['/studies/b']]);
    await recents.add(entry(['/studies/b'], ['4.5.6', '7.8.9']));
    expect((await recents.list()).map((item) => item.paths)).toEqual([['/studies/b'], ['/moved/a']]);
  });
});
