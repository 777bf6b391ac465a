import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { RecentStudy } from '../../../common/dicom';

const MAX_RECENT = 10;
const RecentFile = z.object({ version: z.literal(1), recent: z.array(RecentStudy) });

/**
 * One line per study: the same paths, or the same studies found at another path (a study
 * moved or opened through a session on another workstation), replace the older line.
 */
function sameEntry(a: RecentStudy, b: RecentStudy): boolean {
  const uids = (entry: RecentStudy) => JSON.stringify([...entry.studyInstanceUids].sort());
  return JSON.stringify(a.paths) === JSON.stringify(b.paths) || (a.studyInstanceUids.length > 0 && uids(a) === uids(b));
}

/**
 * The recently opened list, kept as JSON in the user-data folder. Writes go to a
 * temporary file that is then renamed over the old one, so a crash mid-write
 * leaves the previous list intact rather than a half-written file.
 */
export class RecentStudies {
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  async list(): Promise<RecentStudy[]> {
    await this.writing;
    try {
      const parsed = RecentFile.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data.recent : [];
    } catch {
      // Missing or unreadable list: start empty rather than fail opening studies.
      return [];
    }
  }

  add(entry: RecentStudy): Promise<void> {
    const task = this.writing.then(async () => {
      const current = (await this.readQuietly()).filter((item) => !sameEntry(item, entry));
      const recent = [entry, ...current].slice(0, MAX_RECENT);
      await mkdir(dirname(this.file), { recursive: true });
      const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temporary, `${JSON.stringify({ version: 1, recent }, null, 2)}\n`, 'utf8');
      await rename(temporary, this.file);
    });
    // A failed write must not block later ones.
    this.writing = task.catch(() => undefined);
    return task;
  }

  private async readQuietly(): Promise<RecentStudy[]> {
    try {
      const parsed = RecentFile.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data.recent : [];
    } catch {
      return [];
    }
  }
}
