import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAnalyze } from '../../../src/cli/commands/analyze';
import { AnalysisReport } from '../../../src/common/analysis/report';
import { readSegmentation } from '../../../src/main/services/export/seg';
import { CT_DIR, CT_FILES, ENGINE_FIXTURES, TEST_MODELS } from './helpers';

const PIXEL_FIXTURES = join(import.meta.dirname, '../../fixtures/pixels');
const hasDciodvfy = spawnSync('dciodvfy', ['-h'], { stdio: 'ignore' }).error === undefined;

function readPng(path: string) {
  const png = PNG.sync.read(readFileSync(path));
  // pngjs expands grey to RGBA; the red channel is the grey value.
  const grey = new Uint8Array(png.width * png.height);
  for (let i = 0; i < grey.length; i++) grey[i] = png.data[i * 4]!;
  return { width: png.width, height: png.height, grey };
}

describe('pleura analyze (headless analyzer)', () => {
  let out: string;
  let input: string;
  let exitCode: number;
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'pleura-analyze-'));
    input = join(root, 'study');
    mkdirSync(input);
    for (const file of CT_FILES) copyFileSync(join(CT_DIR, file), join(input, file));
    writeFileSync(join(input, 'notes.txt'), 'not an image');
    // A DICOM-looking file cut short: reported and skipped, the series still analysed.
    writeFileSync(join(input, 'truncated.dcm'), readFileSync(join(CT_DIR, CT_FILES[0]!)).subarray(0, 600));
    out = join(root, 'out');
    exitCode = await runAnalyze([input, '--out', out, '--models', TEST_MODELS, '--device', 'cpu']);
  });

  it('analyses the DICOM series, skips bad files, and says so in report.json', () => {
    expect(exitCode).toBe(0);
    const report = AnalysisReport.parse(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    expect(report.executionProvider).toEqual({ requested: 'cpu', used: 'cpu', fallbackReason: null });
    expect(report.models.map((m) => m.id)).toContain('seg-effusion');
    expect(report.series).toHaveLength(1);
    const series = report.series[0]!;
    expect(series.kind).toBe('ct');
    expect(series.spacingMm).toEqual([0.9765625, 0.9765625, 3]);
    // The ingest service orders slices along the slice normal (z ascending here).
    expect(series.instances.map((i) => `${i.id}.dcm`)).toEqual([...CT_FILES].reverse());
    for (const instance of series.instances) {
      expect(Object.keys(instance.recognition!.p4).sort()).toEqual(['bacterial', 'covid19', 'normal', 'viral']);
      expect(Object.keys(instance.manifestations!).sort()).toEqual(['consolidation', 'effusion', 'ggo']);
    }
    expect(series.streams.map((s) => s.stream)).toEqual(['ggo', 'consolidation', 'effusion', 'all']);
    const skippedNames = report.skipped.map((s) => s.path.split('/').at(-1));
    expect(skippedNames).toEqual(expect.arrayContaining(['notes.txt', 'truncated.dcm']));
    expect(report.timingsMs.total).toBeGreaterThan(0);
    // The anatomical gate ran on the HU slices and says what it removed per stream.
    expect(series.anatomicalGate).toMatchObject({ applied: true, reason: null, slicesGated: 3 });
    expect(Object.keys(series.anatomicalGate!.removed).sort()).toEqual(['all', 'consolidation', 'effusion', 'ggo']);
  });

  it('writes one mask PNG per CT instance and stream, on the source grid, matching the reported volumes', () => {
    const report = AnalysisReport.parse(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    const series = report.series[0]!;
    for (const stream of ['ggo', 'consolidation', 'effusion', 'all']) {
      const files = readdirSync(join(out, 'masks', stream)).sort();
      expect(files).toEqual([...CT_FILES].map((f) => f.replace(/\.dcm$/, '.png')).sort());
    }
    let effusionPixels = 0;
    for (const file of readdirSync(join(out, 'masks', 'effusion'))) {
      const png = readPng(join(out, 'masks', 'effusion', file));
      expect([png.width, png.height]).toEqual([512, 512]);
      let other = 0;
      for (const v of png.grey) {
        if (v === 255) effusionPixels++;
        else if (v !== 0) other++;
      }
      expect(other).toBe(0);
    }
    const extent = series.streams.find((s) => s.stream === 'effusion')!.manifestations.effusion!;
    expect(effusionPixels).toBe(extent.pixelCount);
    const all = readPng(join(out, 'masks', 'all', readdirSync(join(out, 'masks', 'all'))[0]!));
    expect(all.grey.reduce((m, v) => Math.max(m, v), 0)).toBeLessThanOrEqual(3);
  });

  it('writes seg.dcm referencing the source instances, readable back with the same masks', async () => {
    const bytes = new Uint8Array(readFileSync(join(out, 'seg.dcm')));
    const report = AnalysisReport.parse(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    const ids = report.series[0]!.instances.map((i) => i.id);
    const seg = readSegmentation(bytes, ids.map((sopInstanceUid) => ({ sopInstanceUid, frame: null })));
    expect(seg.segments.map((s) => s.label)).toEqual(['Ground-glass opacity', 'Consolidation', 'Pleural effusion']);
    const effusion = seg.segments[2]!;
    const pixels = effusion.mask.reduce((n, v) => n + (v ? 1 : 0), 0);
    expect(pixels).toBe(report.series[0]!.streams.find((s) => s.stream === 'effusion')!.manifestations.effusion!.pixelCount);
  });

  it.runIf(hasDciodvfy)('seg.dcm passes dciodvfy (dicom3tools) without errors', () => {
    const result = spawnSync('dciodvfy', [join(out, 'seg.dcm')], { encoding: 'utf8' });
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toMatch(/Segmentation/);
    expect(output.split('\n').filter((line) => /^Error/.test(line))).toEqual([]);
  });

  it('analyses PNG/JPEG images: CT slices get masks named after the file, X-rays get stage 1 only', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pleura-images-'));
    const ctOut = join(root, 'ct');
    expect(await runAnalyze([join(PIXEL_FIXTURES, 'grey.png'), '--out', ctOut, '--modality', 'ct', '--streams', 'effusion', '--models', TEST_MODELS, '--device', 'cpu'])).toBe(0);
    const ctReport = AnalysisReport.parse(JSON.parse(readFileSync(join(ctOut, 'report.json'), 'utf8')));
    expect(ctReport.series[0]!.instances[0]!.id).toBe('grey');
    expect(ctReport.series[0]!.streams[0]!.manifestations.effusion!.volumeMl).toBeNull();
    const mask = readPng(join(ctOut, 'masks', 'effusion', 'grey.png'));
    expect([mask.width, mask.height]).toEqual([224, 224]);
    expect(existsSync(join(ctOut, 'seg.dcm'))).toBe(false);
    // PNG grey levels are not densities: no anatomical gate, and the report says why.
    expect(ctReport.series[0]!.anatomicalGate).toMatchObject({ applied: false, slicesGated: 0 });
    expect(ctReport.series[0]!.anatomicalGate!.reason).toMatch(/PNG/);

    const xrayOut = join(root, 'xray');
    expect(await runAnalyze([join(PIXEL_FIXTURES, 'kermany-normal-IM-0006-0001.jpeg'), '--out', xrayOut, '--modality', 'xray', '--models', TEST_MODELS, '--device', 'cpu'])).toBe(0);
    const xray = AnalysisReport.parse(JSON.parse(readFileSync(join(xrayOut, 'report.json'), 'utf8'))).series[0]!;
    expect(xray.kind).toBe('xray');
    expect(xray.recognition!.aggregation).toBe('single image');
    expect(xray.manifestations).toBeNull();
    expect(existsSync(join(xrayOut, 'masks'))).toBe(false);
  });

  it('analyses a DICOM X-ray (Modality DX decides, no --modality needed): stage 1 only', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pleura-dx-'));
    expect(await runAnalyze([join(ENGINE_FIXTURES, 'xray-dx-window-mono1.dcm'), '--out', root, '--models', TEST_MODELS, '--device', 'cpu'])).toBe(0);
    const series = AnalysisReport.parse(JSON.parse(readFileSync(join(root, 'report.json'), 'utf8'))).series[0]!;
    expect([series.modality, series.kind]).toEqual(['DX', 'xray']);
    expect(series.instances[0]!.recognition).toBeDefined();
    expect(series.instances[0]!.manifestations).toBeUndefined();
    expect(existsSync(join(root, 'masks'))).toBe(false);
    expect(existsSync(join(root, 'seg.dcm'))).toBe(false);
  });

  it('exits non-zero when nothing could be analysed, and on usage errors', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pleura-bad-'));
    writeFileSync(join(root, 'junk.dcm'), 'garbage');
    expect(await runAnalyze([root, '--out', join(root, 'out'), '--models', TEST_MODELS, '--device', 'cpu'])).toBe(1);
    const report = AnalysisReport.parse(JSON.parse(readFileSync(join(root, 'out', 'report.json'), 'utf8')));
    expect(report.series).toEqual([]);
    expect(report.skipped[0]!.path).toContain('junk.dcm');
    expect(await runAnalyze([join(PIXEL_FIXTURES, 'grey.png'), '--out', join(root, 'o2'), '--models', TEST_MODELS])).toBe(1);
    expect(await runAnalyze([root])).toBe(2);
    expect(await runAnalyze([root, '--out', join(root, 'o3'), '--streams', 'lungs'])).toBe(2);
  });

  it('is runnable as `npm run pleura -- analyze` (separate process)', () => {
    const root = mkdtempSync(join(tmpdir(), 'pleura-cli-'));
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'analyze', join(CT_DIR, CT_FILES[0]!), '--out', root, '--models', TEST_MODELS, '--streams', 'ggo'], {
      cwd: join(import.meta.dirname, '../../..'),
      encoding: 'utf8',
    });
    expect(stdout).toMatch(/Execution provider: cpu \(requested auto; CUDA execution provider unavailable/);
    expect(readdirSync(join(root, 'masks', 'ggo'))).toEqual([`${CT_FILES[0]!.replace(/\.dcm$/, '')}.png`]);
  });
});
