import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { SESSION_FOLDER_SUFFIX } from '../../../common/sessions';
import { writeFileAtomic } from './atomic-write';

const IndexFile = z.object({ sessions: z.array(z.object({ path: z.string(), lastUsedAt: z.string() })) });
type IndexFile = z.infer<typeof IndexFile>;

/**
 * Sessions this workstation has created or opened, wherever they live (userData or a
 * user-picked folder), so recovery and the recent list can find them after a restart.
 */
export class SessionIndex {
  constructor(
    private readonly indexPath: string,
    private readonly defaultFolder: string,
  ) {}

  private async load(): Promise<IndexFile> {
    try {
      return IndexFile.parse(JSON.parse(await readFile(this.indexPath, 'utf8')));
    } catch {
      return { sessions: [] };
    }
  }

  async remember(path: string, at: Date): Promise<void> {
    const index = await this.load();
    const absolute = resolve(path);
    const sessions = [{ path: absolute, lastUsedAt: at.toISOString() }, ...index.sessions.filter((item) => item.path !== absolute)].slice(0, 200);
    await mkdir(dirname(this.indexPath), { recursive: true });
    await writeFileAtomic(this.indexPath, JSON.stringify({ sessions }, null, 2));
  }

  /** Known session folders, most recently used first, plus any in the default folder. */
  async paths(): Promise<string[]> {
    const index = await this.load();
    const paths = index.sessions.map((item) => item.path);
    try {
      for (const entry of await readdir(this.defaultFolder, { withFileTypes: true })) {
        const path = resolve(join(this.defaultFolder, entry.name));
        if (entry.isDirectory() && entry.name.endsWith(SESSION_FOLDER_SUFFIX) && !paths.includes(path)) paths.push(path);
      }
    } catch {
      // No sessions folder yet.
    }
    return paths;
  }
}
