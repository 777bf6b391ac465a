/**
 * `npm run bench:ingest`: header-scan throughput of the ingest service against
 * pydicom on the same folder, in the same run, plus (when the viewer's
 * bench/renderTiming.ts exists) the open-to-first-rendered-image time.
 *
 * The folder: copies of the bundled sample's 64 real CT slices (JPEG-LS), with the
 * SeriesInstanceUID and SOPInstanceUID byte-patched (same length) so that 2,048 files
 * form 32 distinct series. Both readers get a warm page cache: one untimed pass first.
 * Prints one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dicomParser } from '../src/main/services/ingest/dicom-parser-runtime';
import { scanPaths } from '../src/main/services/ingest';

const REPO_ROOT = join(import.meta.dirname, '..');
const SAMPLE_SERIES = join(REPO_ROOT, 'resources/sample/Lung_Dx-A0001/CT-chest-5mm');
const COPIES = 32;
const RUNS = 3;
const PYTHON = '/usr/bin/python3';

/** Overwrites the end of a UID element in place with a unique suffix of the same length. */
function patchUid(bytes: Uint8Array, offset: number, length: number, suffix: string): void {
  const text = Buffer.from(bytes.subarray(offset, offset + length)).toString('latin1').replace(/\0+$/u, '');
  const lastComponent = text.slice(text.lastIndexOf('.') + 1);
  if (lastComponent.length <= suffix.length) throw new Error(`UID ${text} is too short to patch`);
  const patched = text.slice(0, text.length - suffix.length) + suffix;
  bytes.set(Buffer.from(patched, 'latin1'), offset);
}

async function buildFolder(root: string): Promise<number> {
  const names = (await readdir(SAMPLE_SERIES)).filter((name) => name.endsWith('.dcm')).sort();
  const originals = await Promise.all(names.map(async (name) => new Uint8Array(await readFile(join(SAMPLE_SERIES, name)))));
  let count = 0;
  for (let copy = 0; copy < COPIES; copy += 1) {
    const folder = join(root, `series-${String(copy).padStart(2, '0')}`);
    await mkdir(folder, { recursive: true });
    for (const [index, original] of originals.entries()) {
      const bytes = new Uint8Array(original);
      const dataSet = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
      const series = dataSet.elements['x0020000e'];
      const sop = dataSet.elements['x00080018'];
      const metaSop = dataSet.elements['x00020003'];
      if (!series || !sop || !metaSop) throw new Error('sample slice lacks UIDs');
      // Leading 9: a UID component must not start with 0.
      patchUid(bytes, series.dataOffset, series.length, `9${String(copy).padStart(4, '0')}`);
      const sopSuffix = `9${String(copy).padStart(4, '0')}${String(index).padStart(3, '0')}`;
      patchUid(bytes, sop.dataOffset, sop.length, sopSuffix);
      patchUid(bytes, metaSop.dataOffset, metaSop.length, sopSuffix);
      await writeFile(join(folder, names[index] ?? `${index}.dcm`), bytes);
      count += 1;
    }
  }
  return count;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const PYDICOM_SCRIPT = `
import os, sys, time, json
import pydicom
root = sys.argv[1]
start = time.perf_counter()
read = 0
for folder, _, files in os.walk(root):
    for name in files:
        ds = pydicom.dcmread(os.path.join(folder, name), stop_before_pixels=True)
        _ = (ds.SeriesInstanceUID, ds.ImagePositionPatient, ds.ImageOrientationPatient, ds.PixelSpacing, ds.Rows)
        read += 1
print(json.dumps({"files": read, "seconds": time.perf_counter() - start}))
`;

function runPydicom(folder: string): { files: number; seconds: number } | { error: string } {
  const result = spawnSync(PYTHON, ['-c', PYDICOM_SCRIPT, folder], { encoding: 'utf8', cwd: tmpdir() });
  if (result.status !== 0) return { error: (result.stderr || result.error?.message || 'pydicom failed').trim().split('\n').at(-1) ?? 'pydicom failed' };
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { files: number; seconds: number };
}

async function openToFirstImage(): Promise<{ medianMs: number | null; runs?: number[]; reason?: string }> {
  const modulePath = join(import.meta.dirname, 'renderTiming.ts');
  if (!existsSync(modulePath)) return { medianMs: null, reason: 'bench/renderTiming.ts is not present in this checkout' };
  try {
    // A computed specifier: the file is optional, so the type checker must not require it.
    const timing = (await import(pathToFileURL(modulePath).href)) as { measureOpenToFirstImageMs?: () => Promise<{ medianMs: number; runs: number[] }> };
    if (typeof timing.measureOpenToFirstImageMs !== 'function') return { medianMs: null, reason: 'bench/renderTiming.ts does not export measureOpenToFirstImageMs' };
    return await timing.measureOpenToFirstImageMs();
  } catch (error) {
    return { medianMs: null, reason: `render timing failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

async function main(): Promise<void> {
  if (!existsSync(SAMPLE_SERIES)) throw new Error(`The sample series is missing: ${SAMPLE_SERIES}`);
  const root = await mkdtemp(join(tmpdir(), 'pleura-bench-ingest-'));
  try {
    const files = await buildFolder(root);
    // Warm the page cache for both readers.
    await scanPaths([root]);

    const oursSeconds: number[] = [];
    let seriesFound = 0;
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      const outcome = await scanPaths([root]);
      oursSeconds.push((performance.now() - started) / 1000);
      seriesFound = outcome.studies.reduce((sum, study) => sum + study.series.length, 0);
      if (outcome.stats.filesOpened !== files) throw new Error(`only ${outcome.stats.filesOpened} of ${files} files opened`);
    }

    const pydicomRuns: number[] = [];
    let pydicomError: string | null = null;
    for (let run = 0; run < RUNS; run += 1) {
      const result = runPydicom(root);
      if ('error' in result) {
        pydicomError = result.error;
        break;
      }
      pydicomRuns.push(result.seconds);
    }

    const ours = files / median(oursSeconds);
    const pydicom = pydicomRuns.length > 0 ? files / median(pydicomRuns) : null;
    const report = {
      files,
      series: seriesFound,
      ingest: { filesPerSecond: Math.round(ours), medianSeconds: Number(median(oursSeconds).toFixed(3)), runsSeconds: oursSeconds.map((s) => Number(s.toFixed(3))) },
      pydicom: pydicom === null
        ? { filesPerSecond: null, reason: pydicomError }
        : { filesPerSecond: Math.round(pydicom), medianSeconds: Number(median(pydicomRuns).toFixed(3)), runsSeconds: pydicomRuns.map((s) => Number(s.toFixed(3))), call: 'pydicom.dcmread(f, stop_before_pixels=True)' },
      ratio: pydicom === null ? null : Number((ours / pydicom).toFixed(2)),
      target: '>= 2x pydicom',
      openToFirstImage: await openToFirstImage(),
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
