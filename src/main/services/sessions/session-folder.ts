import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AUTOSAVE_FILE_NAME,
  AutosaveFile,
  SESSION_FILE_NAME,
  SESSION_FORMAT,
  SESSION_SCHEMA_VERSION,
  SessionFile,
  type MaskFileRef,
} from '../../../common/sessions';
import { removeFileDurably, TEMP_PREFIX, writeFileAtomic } from './atomic-write';
import { sha256Hex } from './layer-masks';
import { SessionError } from './session-error';

export interface NewMaskFile {
  name: string;
  bytes: Uint8Array;
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads and validates session.json, with errors that say what is wrong in plain words. */
export async function readSessionFile(dir: string): Promise<SessionFile> {
  let text: string;
  try {
    text = await readFile(join(dir, SESSION_FILE_NAME), 'utf8');
  } catch {
    throw new SessionError('not-a-session', `"${dir}" is not a Pleura review session (it has no ${SESSION_FILE_NAME}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SessionError('session-damaged', `The session file in "${dir}" is damaged (not valid JSON).`);
  }
  const header = json as { format?: unknown; schemaVersion?: unknown };
  if (header?.format !== SESSION_FORMAT) throw new SessionError('not-a-session', `"${dir}" is not a Pleura review session.`);
  if (typeof header.schemaVersion === 'number' && header.schemaVersion > SESSION_SCHEMA_VERSION) {
    throw new SessionError(
      'session-too-new',
      `This session was saved by a newer Pleura (format ${header.schemaVersion}); this version reads format ${SESSION_SCHEMA_VERSION}. Update Pleura to open it.`,
    );
  }
  const parsed = SessionFile.safeParse(json);
  if (!parsed.success) {
    throw new SessionError('session-damaged', `The session file in "${dir}" is not valid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}.`);
  }
  return parsed.data;
}

/** A mask file's bytes, checked against the hash session.json recorded for it. */
export async function readMaskFile(dir: string, ref: MaskFileRef): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(join(dir, ref.file)));
  } catch {
    throw new SessionError('session-damaged', `The mask file ${ref.file} is missing from the session.`);
  }
  if (sha256Hex(bytes) !== ref.sha256) throw new SessionError('session-damaged', `The mask file ${ref.file} was changed or damaged.`);
  return bytes;
}

function referencedFiles(file: SessionFile): Set<string> {
  const names = new Set<string>();
  if (file.ai?.masks) names.add(file.ai.masks.file);
  for (const reader of file.readers) if (reader.masks) names.add(reader.masks.file);
  return names;
}

/**
 * Commits a save. New mask files get new names (never overwriting a file the current
 * session.json names) and are written first; the atomic replace of session.json is the
 * commit point; superseded mask files are deleted after it. A crash at any moment leaves
 * the previous or the new session, each complete.
 */
export async function commitSession(dir: string, file: SessionFile, newMasks: readonly NewMaskFile[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const mask of newMasks) await writeFileAtomic(join(dir, mask.name), mask.bytes);
  await writeFileAtomic(join(dir, SESSION_FILE_NAME), `${JSON.stringify(file, null, 2)}\n`);
  await removeStaleFiles(dir, file);
}

/** Removes left-over temp files and mask files the committed session.json does not name. */
export async function removeStaleFiles(dir: string, file: SessionFile): Promise<void> {
  const keep = referencedFiles(file);
  for (const name of await readdir(dir)) {
    const stale = name.startsWith(TEMP_PREFIX) || (name.endsWith('.seg.dcm') && !keep.has(name));
    if (stale) await removeFileDurably(join(dir, name));
  }
}

export async function readAutosave(dir: string): Promise<AutosaveFile | null> {
  let text: string;
  try {
    text = await readFile(join(dir, AUTOSAVE_FILE_NAME), 'utf8');
  } catch {
    return null;
  }
  try {
    return AutosaveFile.parse(JSON.parse(text));
  } catch {
    // Written atomically, so this means someone else changed it; it cannot be trusted.
    return null;
  }
}

export async function writeAutosave(dir: string, autosave: AutosaveFile): Promise<void> {
  await writeFileAtomic(join(dir, AUTOSAVE_FILE_NAME), JSON.stringify(autosave));
}

export async function removeAutosave(dir: string): Promise<void> {
  await removeFileDurably(join(dir, AUTOSAVE_FILE_NAME));
}

/** An autosave is worth offering when it belongs to this session's latest save and is newer. */
export function isRecoverable(file: SessionFile, autosave: AutosaveFile | null): autosave is AutosaveFile {
  return autosave !== null && autosave.sessionId === file.sessionId && autosave.baseRevision === file.revision && autosave.autosavedAt > file.savedAt;
}
