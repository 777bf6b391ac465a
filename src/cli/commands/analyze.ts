/**
 * `npm run pleura -- analyze <folder|file...> --out <dir> [--modality ct|xray]
 *   [--device auto|cpu|cuda] [--streams ggo,consolidation,effusion,all] [--models <dir>]
 *   [--no-anatomical-gate]`
 *
 * The headless analyzer over the same services as the app: DICOM folders/files through
 * the ingest service (the Modality tag decides CT or X-ray), PNG/JPEG images as 8-bit
 * display images (--modality says which). Writes report.json, masks/<stream>/<id>.png
 * for every CT image, and seg.dcm (DICOM Segmentation) for DICOM CT series; the formats
 * are documented in docs/analyzer.md. Bad inputs are reported and skipped. Exit code 0
 * when at least one input was analysed, 1 when none was, 2 on a usage error.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import {
  AnalysisReport,
  REPORT_SCHEMA_VERSION,
  RESEARCH_NOTICE,
  STREAMS,
  StreamId,
  type SeriesResult,
} from '../../common/analysis/report';
import {
  InferenceEngine,
  UnsupportedSeriesError,
  seriesInputFromImage,
  seriesInputFromIngest,
  type Device,
  type EngineInfo,
  type SeriesInput,
  type SeriesOutcome,
  type SkippedInput,
} from '../../main/services/engine';
import { writeSegmentation } from '../../main/services/engine/seg';
import { scanPaths, type IngestedSeries, type IngestedStudy } from '../../main/services/ingest';
import { isImageFilePath } from '../../main/services/pixels';

const USAGE = `Usage: npm run pleura -- analyze <folder|file...> --out <dir> [--modality ct|xray] [--device auto|cpu|cuda] [--streams ggo,consolidation,effusion,all] [--models <dir>] [--no-anatomical-gate]`;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface AnalyzeArgs {
  inputs: string[];
  out: string;
  modality: 'ct' | 'xray' | null;
  device: Device;
  streams: StreamId[];
  modelsDir: string;
  /** Anatomical gate on the masks (on unless --no-anatomical-gate). */
  anatomicalGate: boolean;
}

class UsageError extends Error {}

function parse(argv: string[]): AnalyzeArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      modality: { type: 'string' },
      device: { type: 'string', default: 'auto' },
      streams: { type: 'string', default: STREAMS.join(',') },
      models: { type: 'string' },
      'no-anatomical-gate': { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new UsageError('Give at least one folder or file to analyse.');
  if (!values.out) throw new UsageError('--out <dir> is required.');
  const modality = values.modality ?? null;
  if (modality !== null && modality !== 'ct' && modality !== 'xray') throw new UsageError('--modality must be ct or xray.');
  const device = values.device;
  if (device !== 'auto' && device !== 'cpu' && device !== 'cuda') throw new UsageError('--device must be auto, cpu or cuda.');
  const streams = values.streams.split(',').map((s) => s.trim()).filter(Boolean);
  const parsedStreams: StreamId[] = [];
  for (const stream of streams) {
    const checked = StreamId.safeParse(stream);
    if (!checked.success) throw new UsageError(`Unknown stream "${stream}" (use ${STREAMS.join(', ')}).`);
    if (!parsedStreams.includes(checked.data)) parsedStreams.push(checked.data);
  }
  return {
    inputs: positionals.map((p) => resolve(p)),
    out: resolve(values.out),
    modality,
    device,
    streams: parsedStreams,
    modelsDir: resolve(values.models ?? process.env.PLEURA_MODELS_DIR ?? join(REPO_ROOT, 'resources/models')),
    anatomicalGate: !values['no-anatomical-gate'],
  };
}

interface PlannedSeries {
  input: SeriesInput;
  /** The ingested series and its study (DICOM inputs), for the DICOM SEG. */
  dicom: { series: IngestedSeries; study: IngestedStudy } | null;
}

/** Splits the inputs into DICOM series (ingest) and image files; reports what cannot be analysed. */
async function plan(args: AnalyzeArgs, skipped: SkippedInput[]): Promise<PlannedSeries[]> {
  const images: string[] = [];
  const others: string[] = [];
  for (const input of args.inputs) (isImageFilePath(input) ? images : others).push(input);
  const planned: PlannedSeries[] = [];
  if (others.length > 0) {
    const outcome = await scanPaths(others);
    for (const file of outcome.skipped) {
      // Image files inside a folder are analysed as images, not reported as non-DICOM.
      if (isImageFilePath(file.path)) images.push(file.path);
      else skipped.push(file);
    }
    for (const study of outcome.studies) {
      for (const series of study.series) {
        try {
          const { viewerIds: _viewerIds, ...input } = seriesInputFromIngest(series);
          planned.push({ input, dicom: { series, study } });
        } catch (error) {
          if (!(error instanceof UnsupportedSeriesError)) throw error;
          for (const instance of series.instances) skipped.push({ path: instance.filePath, reason: error.message });
        }
      }
    }
  }
  if (images.length > 0 && args.modality === null) {
    for (const path of images) skipped.push({ path, reason: 'PNG/JPEG input needs --modality ct or --modality xray.' });
  } else {
    const used = new Set<string>();
    for (const path of images.sort()) {
      // Mask files are named after the image; keep names unique when two folders share one.
      const stem = basename(path, extname(path));
      let id = stem;
      for (let n = 2; used.has(id); n++) id = `${stem}-${n}`;
      used.add(id);
      planned.push({ input: seriesInputFromImage(path, args.modality ?? 'xray', id), dicom: null });
    }
  }
  return planned;
}

function safeFileName(id: string): string {
  return id.replace(/[^\w.-]+/g, '_');
}

async function writeMasks(out: string, outcome: SeriesOutcome): Promise<number> {
  let written = 0;
  for (const masks of outcome.masks) {
    const folder = join(out, 'masks', masks.stream);
    await mkdir(folder, { recursive: true });
    const pixels = masks.rows * masks.columns;
    for (let s = 0; s < masks.instanceIds.length; s++) {
      const slice = masks.labels.subarray(s * pixels, (s + 1) * pixels);
      // Binary streams are written 0/255 so they are visible; `all` keeps its labels 0..3.
      const data = masks.stream === 'all' ? Buffer.from(slice) : Buffer.from(slice.map((v) => (v ? 255 : 0)));
      const png = new PNG({ width: masks.columns, height: masks.rows, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
      png.data = data;
      // Filter "none": label images compress as well without it, and pngjs's default tries
      // all five filters per row (about 7x slower for 1,200 masks of a 300-slice series).
      const encoded = PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8, filterType: 0 });
      await writeFile(join(folder, `${safeFileName(masks.instanceIds[s]!)}.png`), encoded);
      written++;
    }
  }
  return written;
}

function describeProvider(info: EngineInfo): string {
  const { requested, used, fallbackReason } = info.provider;
  return `Execution provider: ${used} (requested ${requested}${fallbackReason ? `; ${fallbackReason}` : ''})`;
}

async function appVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function progressPrinter(label: string): (p: { stage: string; done: number; total: number; etaMs: number | null }) => void {
  let lastLine = '';
  return (p) => {
    // One line per stage and per ~25 %: enough to see it move without flooding a log.
    const quarter = p.total > 0 ? Math.floor((p.done / p.total) * 4) : 0;
    const line = `${p.stage} ${quarter}`;
    if (line === lastLine) return;
    lastLine = line;
    const eta = p.etaMs === null ? '' : `, about ${Math.ceil(p.etaMs / 1000)} s left`;
    process.stderr.write(`  ${label}: ${p.stage} ${p.done}/${p.total}${eta}\n`);
  };
}

export async function runAnalyze(argv: string[]): Promise<number> {
  let args: AnalyzeArgs;
  try {
    args = parse(argv);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const started = performance.now();
  const skipped: SkippedInput[] = [];
  const planned = await plan(args, skipped);
  await mkdir(args.out, { recursive: true });

  const engine = new InferenceEngine({ modelsDir: args.modelsDir, device: args.device });
  let info: EngineInfo;
  try {
    info = await engine.ready();
  } catch (error) {
    console.error(`The AI models could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    await engine.dispose();
    return 1;
  }
  console.log(describeProvider(info));

  const series: SeriesResult[] = [];
  const timingsMs = { decode: 0, stage1: 0, stage2: 0, stage3: 0, gate: 0, total: 0 };
  const segFiles: string[] = [];
  let masksWritten = 0;
  try {
    for (const { input, dicom } of planned) {
      const label = input.description ?? input.seriesInstanceUid;
      process.stderr.write(`Analysing ${input.kind === 'ct' ? 'CT' : 'X-ray'} ${label} (${input.slices.length} image${input.slices.length === 1 ? '' : 's'})\n`);
      let outcome: SeriesOutcome;
      try {
        outcome = await engine.run(input, { streams: args.streams, skipStage23IfNormal: false, anatomicalGate: args.anatomicalGate }, progressPrinter(label)).outcome;
      } catch (error) {
        // The whole series failed (e.g. no slice decodable): report its files, go on.
        const reason = error instanceof Error ? error.message : String(error);
        for (const slice of input.slices) skipped.push({ path: slice.path, reason });
        continue;
      }
      series.push(outcome.result);
      skipped.push(...outcome.skipped);
      for (const key of ['decode', 'stage1', 'stage2', 'stage3', 'gate'] as const) timingsMs[key] += outcome.timingsMs[key];
      masksWritten += await writeMasks(args.out, outcome);
      if (dicom && input.kind === 'ct' && outcome.masks.length > 0) {
        const name = segFiles.length === 0 ? 'seg.dcm' : `seg-${safeFileName(input.seriesInstanceUid)}.dcm`;
        try {
          await writeSegmentation(join(args.out, name), { series: dicom.series, study: dicom.study, outcome, models: info.models });
          segFiles.push(name);
        } catch (error) {
          console.error(`Could not write ${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  } finally {
    await engine.dispose();
  }
  timingsMs.total = performance.now() - started;

  const report = AnalysisReport.parse({
    schemaVersion: REPORT_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    app: { name: 'Pleura', version: await appVersion() },
    models: info.models.map(({ id, version, sha256 }) => ({ id, version, sha256 })),
    executionProvider: info.provider,
    timingsMs,
    series,
    skipped,
    notice: RESEARCH_NOTICE,
  });
  await writeFile(join(args.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);

  for (const result of series) {
    const verdict = result.recognition ? `${result.recognition.verdict2} (COVID-19 p=${result.recognition.probabilities.p2.covid19.toFixed(3)}; 4-class: ${result.recognition.verdict4})` : 'no verdict';
    console.log(`${result.kind === 'ct' ? 'CT' : 'X-ray'} ${result.description ?? result.seriesInstanceUid}: ${verdict}`);
    for (const stream of result.streams) {
      for (const [name, extent] of Object.entries(stream.manifestations)) {
        const volume = extent.volumeMl === null ? 'volume unknown (no spacing)' : `${extent.volumeMl.toFixed(1)} mL`;
        console.log(`  ${stream.stream} stream, ${name}: ${volume}, ${extent.sliceCount} slice(s)`);
      }
    }
  }
  for (const item of skipped) console.log(`Skipped ${item.path}: ${item.reason}`);
  console.log(
    `Wrote ${join(args.out, 'report.json')}, ${masksWritten} mask image(s)${segFiles.length ? `, ${segFiles.join(', ')}` : ''} in ${(timingsMs.total / 1000).toFixed(1)} s.`,
  );
  console.log(RESEARCH_NOTICE);
  return series.length > 0 ? 0 : 1;
}
