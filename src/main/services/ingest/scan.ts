import type { ScanProgress, ScanStats, SkippedFile } from '../../../common/dicom';
import { assembleStudies } from './assemble';
import { readFields } from './header-fields';
import { readHeader } from './read-header';
import type { IngestedStudy, ParsedFile } from './types';
import { listFiles } from './walk';

export interface ScanOptions {
  /** Called while listing and reading; at most every `progressIntervalMs`, plus once at the end. */
  onProgress?: (progress: ScanProgress) => void;
  progressIntervalMs?: number;
  /** Files read at the same time; header reads are I/O-bound, so a few in flight pay off. */
  concurrency?: number;
}

export interface ScanOutcome {
  studies: IngestedStudy[];
  skipped: SkippedFile[];
  stats: ScanStats;
}

export type FileVerdict = { ok: true; file: ParsedFile } | { ok: false; reason: string };

/** Reads one file's header and turns it into image records, or a reason to skip it. */
export async function inspectFile(path: string): Promise<FileVerdict> {
  try {
    const header = await readHeader(path);
    if (!header.ok) return header;
    return readFields(path, header.dataSet, header.pixelDataComplete);
  } catch (error) {
    // A parser bug on a strange file must cost that file only, never the scan.
    return { ok: false, reason: `could not be read as DICOM (${error instanceof Error ? error.message : String(error)})` };
  }
}

/**
 * Scans files and folders (recursively) and builds the study tree. Read-only: files
 * are opened for reading and nothing is written next to them.
 */
export async function scanPaths(paths: readonly string[], options: ScanOptions = {}): Promise<ScanOutcome> {
  const started = performance.now();
  const interval = options.progressIntervalMs ?? 100;
  let lastReport = 0;
  const report = (progress: ScanProgress, force = false) => {
    if (!options.onProgress) return;
    const now = performance.now();
    if (!force && now - lastReport < interval) return;
    lastReport = now;
    options.onProgress(progress);
  };

  const walk = await listFiles(paths, (count) => report({ phase: 'listing', filesScanned: 0, filesTotal: count, filesSkipped: 0 }));
  const skipped: SkippedFile[] = [...walk.skipped];
  const total = walk.files.length;
  report({ phase: 'reading', filesScanned: 0, filesTotal: total, filesSkipped: skipped.length }, true);

  const parsed: Array<ParsedFile | null> = new Array<ParsedFile | null>(total).fill(null);
  const reasons: Array<string | null> = new Array<string | null>(total).fill(null);
  let next = 0;
  let done = 0;
  let skippedCount = skipped.length;
  const worker = async () => {
    while (next < total) {
      const index = next;
      next += 1;
      const path = walk.files[index] as string;
      const verdict = await inspectFile(path);
      if (verdict.ok) parsed[index] = verdict.file;
      else {
        reasons[index] = verdict.reason;
        skippedCount += 1;
      }
      done += 1;
      report({ phase: 'reading', filesScanned: done, filesTotal: total, filesSkipped: skippedCount });
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 16, total || 1));
  await Promise.all(Array.from({ length: concurrency }, worker));

  // Keep file order (not completion order) so results are the same on every run.
  for (let index = 0; index < total; index += 1) {
    const reason = reasons[index];
    if (reason !== null && reason !== undefined) skipped.push({ path: walk.files[index] as string, reason });
  }
  const files = parsed.filter((file): file is ParsedFile => file !== null);
  const assembled = assembleStudies(files);
  skipped.push(...assembled.duplicates);
  const filesOpened = files.length - assembled.duplicates.length;
  report({ phase: 'done', filesScanned: total, filesTotal: total, filesSkipped: skipped.length }, true);
  return {
    studies: assembled.studies,
    skipped,
    stats: { filesFound: total, filesOpened, filesSkipped: total - filesOpened, durationMs: Math.round(performance.now() - started) },
  };
}
