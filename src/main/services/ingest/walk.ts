import { opendir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SkippedFile } from '../../../common/dicom';

export interface WalkResult {
  /** Files to read, as the user's paths spell them (links not resolved), each real file once. */
  files: string[];
  skipped: SkippedFile[];
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
}

function unreadable(path: string, what: 'folder' | 'file' | 'link', error: unknown): SkippedFile {
  const code = errorCode(error);
  if (what === 'link' && code === 'ENOENT') return { path, reason: 'broken link (its target does not exist)' };
  if (code === 'ELOOP') return { path, reason: 'link loop (the link points back to itself)' };
  if (code === 'EACCES' || code === 'EPERM') return { path, reason: `${what} cannot be read (permission denied)` };
  if (code === 'ENOENT') return { path, reason: `${what} does not exist` };
  return { path, reason: `${what} cannot be read (${code || String(error)})` };
}

/**
 * Lists every file under the given paths. Symbolic links to files are followed;
 * links to folders are followed once per real folder, so a link back up the tree
 * (a loop) or two links to the same folder cannot make the walk endless or count a
 * file twice. Iterative, so deep trees cannot overflow the stack.
 */
export async function listFiles(roots: readonly string[], onFound?: (count: number) => void): Promise<WalkResult> {
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  const seenFolders = new Set<string>();
  const seenFiles = new Set<string>();

  const addFile = async (path: string) => {
    let real: string;
    try {
      real = await realpath(path);
    } catch (error) {
      skipped.push(unreadable(path, 'link', error));
      return;
    }
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    files.push(path);
    if (onFound && files.length % 250 === 0) onFound(files.length);
  };

  const pending: string[] = [];
  const enqueueFolder = async (path: string) => {
    try {
      const real = await realpath(path);
      if (seenFolders.has(real)) return;
      seenFolders.add(real);
      pending.push(path);
    } catch (error) {
      skipped.push(unreadable(path, 'folder', error));
    }
  };

  for (const root of roots) {
    try {
      const info = await stat(root);
      if (info.isDirectory()) await enqueueFolder(root);
      else if (info.isFile()) await addFile(root);
      else skipped.push({ path: root, reason: 'not a regular file or folder' });
    } catch (error) {
      skipped.push(unreadable(root, 'file', error));
    }
  }

  while (pending.length > 0) {
    const folder = pending.pop() as string;
    let entries: string[] = [];
    const kinds = new Map<string, 'file' | 'folder' | 'link' | 'other'>();
    try {
      const directory = await opendir(folder);
      for await (const entry of directory) {
        entries.push(entry.name);
        kinds.set(entry.name, entry.isFile() ? 'file' : entry.isDirectory() ? 'folder' : entry.isSymbolicLink() ? 'link' : 'other');
      }
    } catch (error) {
      skipped.push(unreadable(folder, 'folder', error));
      continue;
    }
    // Sorted so scans, recents and CLI output are the same on every run.
    entries = entries.sort();
    for (const name of entries) {
      const path = join(folder, name);
      const kind = kinds.get(name);
      if (kind === 'file') {
        await addFile(path);
      } else if (kind === 'folder') {
        await enqueueFolder(path);
      } else if (kind === 'link') {
        try {
          const target = await stat(path);
          if (target.isDirectory()) await enqueueFolder(path);
          else if (target.isFile()) await addFile(path);
        } catch (error) {
          skipped.push(unreadable(path, 'link', error));
        }
      }
    }
  }
  files.sort();
  return { files, skipped };
}
