/**
 * A headless "workstation" for session tests: the real ingest service, a stand-in for
 * the analysis service (deterministic AI results built from the fixture's PleThora
 * effusion masks plus synthetic GGO / consolidation regions), scripted dialogs, and a
 * printer (Chromium via playwright-core, or a recorder).
 */
import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import type { SeriesResult, StreamId } from '../../../../src/common/analysis/report';
import { createStudiesService, type IngestedSeries, type StudiesService } from '../../../../src/main/services/ingest';
import { SessionService, studyPortOf, type AnalysisForSeries } from '../../../../src/main/services/sessions';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'sessions');
export const FIXTURE_STUDY = join(FIXTURE_DIR, 'study');
/** Identifiers in the fixture's headers that anonymised exports must not contain. */
export const FIXTURE_PATIENT = { name: 'LUNG1-001', id: 'LUNG1-001', birthDate: '19450312', accession: '2819497684894126' };
export const ROWS = 512;
export const COLUMNS = 512;
export const PIXELS = ROWS * COLUMNS;

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `pleura-${prefix}-`));
}

/** Copies the 4-slice fixture series to `target` (a workstation's own study folder). */
export async function copyStudy(target: string): Promise<string> {
  await cp(join(FIXTURE_STUDY, 'LUNG1-001'), target, { recursive: true });
  return target;
}

async function effusionMaskFor(sopInstanceUid: string): Promise<Uint8Array> {
  const png = PNG.sync.read(await readFile(join(FIXTURE_DIR, 'masks', `${sopInstanceUid}.png`)));
  const mask = new Uint8Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) mask[i] = png.data[i * 4]! > 127 ? 1 : 0;
  return mask;
}

/** A filled rectangle on one slice of a volume. */
export function paintRect(volume: Uint8Array, slice: number, top: number, left: number, height: number, width: number, value = 1): void {
  for (let r = top; r < top + height; r++) for (let c = left; c < left + width; c++) volume[slice * PIXELS + r * COLUMNS + c] = value;
}

export function countLabel(volume: Uint8Array, value = 1): number {
  let count = 0;
  for (const v of volume) if (v === value) count++;
  return count;
}

/** Deterministic AI output for the fixture series (the engine itself is tested elsewhere). */
export async function fakeAnalysis(series: IngestedSeries): Promise<AnalysisForSeries> {
  const n = series.instances.length;
  const effusion = new Uint8Array(n * PIXELS);
  for (let s = 0; s < n; s++) effusion.set(await effusionMaskFor(series.instances[s]!.sopInstanceUid), s * PIXELS);
  const ggo = new Uint8Array(n * PIXELS);
  paintRect(ggo, 1, 200, 120, 30, 40);
  paintRect(ggo, 2, 190, 110, 40, 50);
  const consolidation = new Uint8Array(n * PIXELS);
  paintRect(consolidation, 2, 300, 330, 20, 25);
  const all = new Uint8Array(n * PIXELS);
  for (let i = 0; i < all.length; i++) all[i] = effusion[i] ? 3 : consolidation[i] ? 2 : ggo[i] ? 1 : 0;
  const ids = series.instances.map((instance) => instance.id);
  const masks = (
    [
      ['ggo', ggo],
      ['consolidation', consolidation],
      ['effusion', effusion],
      ['all', all],
    ] as Array<[StreamId, Uint8Array]>
  ).map(([stream, labels]) => ({ stream, rows: ROWS, columns: COLUMNS, labels, instanceIds: ids }));
  const result: SeriesResult = {
    seriesInstanceUid: series.seriesInstanceUid,
    studyInstanceUid: series.studyInstanceUid,
    modality: 'CT',
    kind: 'ct',
    description: series.seriesDescription,
    spacingMm: [0.9765625, 0.9765625, 3],
    instances: series.instances.map((instance, index) => ({
      id: instance.sopInstanceUid,
      path: instance.filePath,
      sliceIndex: index,
      rows: ROWS,
      columns: COLUMNS,
      recognition: { p2: { normal: 0.1 + index / 100, covid19: 0.9 - index / 100 }, p4: { covid19: 0.7, normal: 0.1, viral: 0.15, bacterial: 0.05 } },
      manifestations: { ggo: 0.25 + index * 0.125, consolidation: 0.125 + index * 0.0625, effusion: 0.875 },
    })),
    recognition: {
      probabilities: { p2: { normal: 0.115, covid19: 0.885 }, p4: { covid19: 0.7, normal: 0.1, viral: 0.15, bacterial: 0.05 } },
      verdict2: 'covid19',
      verdict4: 'covid19',
      aggregation: 'mean of slice probabilities',
      slicesUsed: n,
    },
    manifestations: { max: { ggo: 0.625, consolidation: 0.3125, effusion: 0.875 }, mean: { ggo: 0.4375, consolidation: 0.21875, effusion: 0.875 } },
    streams: [
      { stream: 'ggo', modelId: 'seg-ggo', manifestations: {} },
      { stream: 'consolidation', modelId: 'seg-consolidation', manifestations: {} },
      { stream: 'effusion', modelId: 'seg-effusion', manifestations: {} },
      { stream: 'all', modelId: 'seg-all', manifestations: {} },
    ],
    anatomicalGate: { applied: true, reason: null, slicesGated: n, slicesWithLung: n - 1, removed: { all: { pixelCount: 41_000, volumeMl: 117.9 } } },
  };
  return {
    createdAt: '2026-11-30T18:00:00.000Z',
    appVersion: '0.1.0-test',
    models: [
      { id: 'recognition', version: '1.2.0', sha256: 'a'.repeat(64) },
      { id: 'seg-ggo', version: '1.0.3', sha256: 'b'.repeat(64) },
      { id: 'seg-all', version: '1.0.1', sha256: 'c'.repeat(64) },
    ],
    executionProvider: 'cpu',
    series: result,
    masks,
  };
}

export interface Workstation {
  userData: string;
  studies: StudiesService;
  sessions: SessionService;
  folderAnswers: Array<string | null>;
  saveAnswers: Array<string | null>;
  printedHtml: string[];
  /** Opens a study folder in the "viewer" and returns its first series. */
  openStudy(folder: string): Promise<IngestedSeries>;
  /** Runs the stand-in analysis on a series (so sessions:create picks up AI results). */
  analyse(series: IngestedSeries): Promise<AnalysisForSeries>;
}

/** `userData` is required so every test cleans up what its workstation wrote. */
export async function workstation(options: { printToPdf?: (html: string) => Promise<Uint8Array>; userData: string }): Promise<Workstation> {
  const { userData } = options;
  const studies = createStudiesService({ recentsFile: null });
  const results = new Map<string, AnalysisForSeries>();
  const folderAnswers: Array<string | null> = [];
  const saveAnswers: Array<string | null> = [];
  const printedHtml: string[] = [];
  const sessions = new SessionService({
    userData,
    appVersion: '0.1.0-test',
    platform: {
      pickFolder: async () => folderAnswers.shift() ?? null,
      pickSavePath: async () => saveAnswers.shift() ?? null,
      printToPdf: async (html) => {
        printedHtml.push(html);
        return options.printToPdf ? options.printToPdf(html) : new TextEncoder().encode(html);
      },
    },
    studies: studyPortOf(studies),
    analysis: { resultFor: (seriesId) => results.get(seriesId) ?? null },
  });
  return {
    userData,
    studies,
    sessions,
    folderAnswers,
    saveAnswers,
    printedHtml,
    async openStudy(folder) {
      const scan = await studies.openPaths([folder]);
      const seriesId = scan.studies[0]?.series[0]?.seriesId;
      const series = seriesId ? studies.getSeries(seriesId) : null;
      if (!series) throw new Error(`No series in ${folder}`);
      return series;
    },
    async analyse(series) {
      const analysis = await fakeAnalysis(series);
      results.set(series.seriesId, analysis);
      return analysis;
    },
  };
}

/** All files under a folder (for "nothing was written into the study folder" checks). */
export async function listTree(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
}

export { basename };
