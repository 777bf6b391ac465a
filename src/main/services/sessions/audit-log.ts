import { createHash } from 'node:crypto';
import { open, readFile, truncate } from 'node:fs/promises';
import { AuditEntry, type AuditAction, type AuditView } from '../../../common/sessions';

const GENESIS = 'genesis';

/** JSON with keys in sorted order, so a hash does not depend on property order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hashOf(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(entry)).digest('hex');
}

export interface AuditInput {
  actor: string;
  action: AuditAction;
  layerId: string | null;
  detail?: Record<string, string | number | boolean | null>;
}

interface ParsedLog {
  entries: AuditEntry[];
  problems: string[];
  /** Byte length of the text up to and including the last complete line. */
  completeLength: number;
  tornTail: boolean;
}

function parseLog(text: string): ParsedLog {
  const entries: AuditEntry[] = [];
  const problems: string[] = [];
  const lastNewline = text.lastIndexOf('\n');
  const complete = text.slice(0, lastNewline + 1);
  const tail = text.slice(lastNewline + 1);
  let prevHash = GENESIS;
  complete.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let entry: AuditEntry;
    try {
      entry = AuditEntry.parse(JSON.parse(line));
    } catch {
      problems.push(`Line ${index + 1} is not a valid audit entry.`);
      return;
    }
    const { hash, ...rest } = entry;
    if (entry.prevHash !== prevHash) problems.push(`Line ${index + 1} does not link to the line before it (entry removed or reordered).`);
    if (hashOf(rest) !== hash) problems.push(`Line ${index + 1} was changed after it was written.`);
    prevHash = hash;
    entries.push(entry);
  });
  return { entries, problems, completeLength: Buffer.byteLength(complete), tornTail: tail.length > 0 };
}

/**
 * The session's audit trail: append-only JSON lines, each carrying the hash of the line
 * before it, so a removed, reordered or edited line shows. Every append is fsynced
 * before the change it records is acknowledged.
 */
export class AuditLog {
  private lastHash = GENESIS;
  private nextSeq = 1;

  private constructor(private readonly path: string) {}

  /**
   * Opens (or starts) the log. A torn last line, which only a crash during an append can
   * leave and which was never acknowledged, is cut off so the next line starts cleanly.
   */
  static async open(path: string): Promise<AuditLog> {
    const log = new AuditLog(path);
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const parsed = parseLog(text);
    if (parsed.tornTail) await truncate(path, parsed.completeLength);
    const last = parsed.entries.at(-1);
    if (last) {
      log.lastHash = last.hash;
      log.nextSeq = last.seq + 1;
    }
    return log;
  }

  async append(input: AuditInput, at = new Date()): Promise<AuditEntry> {
    const body = {
      seq: this.nextSeq,
      at: at.toISOString(),
      actor: input.actor,
      action: input.action,
      layerId: input.layerId,
      detail: input.detail ?? {},
      prevHash: this.lastHash,
    };
    const entry: AuditEntry = { ...body, hash: hashOf(body) };
    const handle = await open(this.path, 'a');
    try {
      await handle.write(`${JSON.stringify(entry)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.lastHash = entry.hash;
    this.nextSeq += 1;
    return entry;
  }

  async read(): Promise<AuditView> {
    return readAudit(this.path);
  }
}

export async function readAudit(path: string): Promise<AuditView> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { entries: [], chainValid: false, problems: ['The audit log is missing.'] };
  }
  const parsed = parseLog(text);
  const problems = [...parsed.problems];
  if (parsed.tornTail) problems.push('The last line is incomplete (the app stopped while writing it).');
  return { entries: parsed.entries, chainValid: parsed.problems.length === 0, problems };
}
