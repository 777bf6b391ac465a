import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import {
  buildAnalysisSeg,
  buildSegmentation,
  FINDING_CODES,
  MORPHOLOGICALLY_ABNORMAL_STRUCTURE,
  readSegmentation,
  readSegSourceHeader,
  type SegSegmentInput,
  type SegSource,
} from '../../../src/main/services/export/seg';
import { scanPaths } from '../../../src/main/services/ingest';
import { FIXTURE_DIR, FIXTURE_PATIENT, FIXTURE_STUDY, paintRect, PIXELS } from '../sessions/support/harness';

let source: SegSource;
let work: string;

/** dciodvfy's full report (it writes to stderr) ; the test fails when the tool is missing. */
function dciodvfyOutput(path: string): string {
  const run = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
  if (run.error) throw new Error(`dciodvfy (Debian package dicom3tools) is required for this test: ${run.error.message}`);
  return `${run.stdout}${run.stderr}`;
}

/** dciodvfy lines starting with "Error"; warnings are allowed. */
function dciodvfyErrors(path: string): string[] {
  const output = dciodvfyOutput(path);
  // The report always names the IOD it checked against: proof the tool actually ran on a SEG.
  expect(output).toMatch(/^Segmentation$/m);
  return output.split('\n').filter((line) => /^Error/.test(line));
}

/** Frames as pydicom sees them: referenced segment, source image and pixel count. */
function pydicomFrames(path: string): Array<{ segment: number; sop: string; sum: number }> {
  const script = [
    'import json, sys, pydicom',
    'd = pydicom.dcmread(sys.argv[1])',
    'a = d.pixel_array.reshape(int(d.NumberOfFrames), d.Rows, d.Columns)',
    'out = [{"segment": int(f.SegmentIdentificationSequence[0].ReferencedSegmentNumber),',
    '        "sop": f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID,',
    '        "sum": int(a[i].sum())} for i, f in enumerate(d.PerFrameFunctionalGroupsSequence)]',
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`pydicom could not read the SEG: ${run.stderr}`);
  return JSON.parse(run.stdout) as Array<{ segment: number; sop: string; sum: number }>;
}

async function plethoraEffusion(): Promise<Uint8Array> {
  const mask = new Uint8Array(source.images.length * PIXELS);
  for (const [index, image] of source.images.entries()) {
    const png = PNG.sync.read(await readFile(join(FIXTURE_DIR, 'masks', `${image.sopInstanceUid}.png`)));
    for (let i = 0; i < PIXELS; i++) mask[index * PIXELS + i] = png.data[i * 4]! > 127 ? 1 : 0;
  }
  return mask;
}

function segment(label: string, type: keyof typeof FINDING_CODES, mask: Uint8Array, manual = false): SegSegmentInput {
  return {
    label,
    category: MORPHOLOGICALLY_ABNORMAL_STRUCTURE,
    type: FINDING_CODES[type],
    algorithm: manual ? { type: 'MANUAL' } : { type: 'AUTOMATIC', name: `seg-${type}`, version: '1.0.0' },
    colourRgb: [255, 200, 0],
    mask,
  };
}

const OPTIONS = {
  seriesDescription: 'Pleura AI segmentation',
  seriesNumber: 9000,
  contentLabel: 'PLEURA_AI',
  contentDescription: 'test',
  manufacturer: 'Pleura',
  manufacturerModelName: 'Pleura',
  softwareVersions: '0.1.0',
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pleura-seg-'));
  const scan = await scanPaths([FIXTURE_STUDY]);
  const series = scan.studies[0]!.series[0]!;
  const header = await readSegSourceHeader(series.instances[0]!.filePath);
  source = {
    ...header,
    seriesInstanceUid: series.seriesInstanceUid,
    rows: series.rows,
    columns: series.columns,
    pixelSpacing: series.pixelSpacing,
    sliceThickness: series.sliceThickness,
    spacingBetweenSlices: series.spacingBetweenSlices,
    imageOrientationPatient: series.imageOrientationPatient,
    images: series.instances.map((instance) => ({
      sopClassUid: instance.sopClassUid,
      sopInstanceUid: instance.sopInstanceUid,
      frame: instance.frame,
      imagePositionPatient: instance.imagePositionPatient,
    })),
  };
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('DICOM SEG writer', () => {
  it('round-trips three findings through dcmjs and passes dciodvfy with zero errors', async () => {
    const effusion = await plethoraEffusion();
    const ggo = new Uint8Array(4 * PIXELS);
    paintRect(ggo, 1, 100, 100, 37, 53);
    paintRect(ggo, 3, 0, 0, 1, 512); // touches the first row: bit packing at the slice start
    const consolidation = new Uint8Array(4 * PIXELS);
    paintRect(consolidation, 2, 511, 505, 1, 7); // last pixels of a slice
    const bytes = buildSegmentation(
      source,
      [segment('Ground-glass opacity', 'ggo', ggo), segment('Consolidation', 'consolidation', consolidation, true), segment('Pleural effusion', 'effusion', effusion)],
      OPTIONS,
    );
    const path = join(work, 'seg.dcm');
    await writeFile(path, bytes);
    const output = dciodvfyOutput(path);
    expect(output).toMatch(/Segmentation/);
    expect(dciodvfyErrors(path)).toEqual([]);

    const read = readSegmentation(
      bytes,
      source.images.map((image) => ({ sopInstanceUid: image.sopInstanceUid, frame: image.frame })),
    );
    expect(read.segments.map((s) => [s.number, s.label, s.type?.CodeValue, s.algorithmType])).toEqual([
      [1, 'Ground-glass opacity', '112120', 'AUTOMATIC'],
      [2, 'Consolidation', '95436008', 'MANUAL'],
      [3, 'Pleural effusion', '60046008', 'AUTOMATIC'],
    ]);
    expect(read.referencedSeriesInstanceUid).toBe(source.seriesInstanceUid);
    expect(read.studyInstanceUid).toBe(source.studyInstanceUid);
    expect(Buffer.compare(Buffer.from(read.segments[0]!.mask), Buffer.from(ggo))).toBe(0);
    expect(Buffer.compare(Buffer.from(read.segments[1]!.mask), Buffer.from(consolidation))).toBe(0);
    expect(Buffer.compare(Buffer.from(read.segments[2]!.mask), Buffer.from(effusion))).toBe(0);
    expect(read.segments[2]!.mask.reduce((sum, v) => sum + v, 0)).toBeGreaterThan(5000);

    // An independent reader (pydicom, Debian's python3-pydicom) decodes the same frames.
    const frames = pydicomFrames(path);
    const masks = [ggo, consolidation, effusion];
    const expected = [];
    for (const [index, mask] of masks.entries()) {
      for (const [slice, image] of source.images.entries()) {
        const sum = mask.subarray(slice * PIXELS, (slice + 1) * PIXELS).reduce((total, v) => total + v, 0);
        if (sum > 0) expected.push({ segment: index + 1, sop: image.sopInstanceUid, sum });
      }
    }
    expect(frames).toEqual(expected);
  });

  it('reads slices back to the right images when the caller lists them in another order', () => {
    const mask = new Uint8Array(4 * PIXELS);
    paintRect(mask, 0, 10, 10, 2, 2);
    const bytes = buildSegmentation(source, [segment('GGO', 'ggo', mask)], OPTIONS);
    const reversed = [...source.images].reverse().map((image) => ({ sopInstanceUid: image.sopInstanceUid, frame: image.frame }));
    const read = readSegmentation(bytes, reversed);
    expect(read.segments[0]!.mask[3 * PIXELS + 10 * 512 + 10]).toBe(1);
    expect(read.segments[0]!.mask[10 * 512 + 10]).toBe(0);
    // Images that are not in the given series are refused, never dropped silently.
    expect(() => readSegmentation(bytes, reversed.slice(0, 3))).toThrow(/not in this series/);
  });

  it('writes a valid SEG even when every segment is empty', async () => {
    const empty = new Uint8Array(4 * PIXELS);
    const bytes = buildSegmentation(source, [segment('GGO', 'ggo', empty), segment('Effusion', 'effusion', empty)], OPTIONS);
    const path = join(work, 'empty.dcm');
    await writeFile(path, bytes);
    expect(dciodvfyErrors(path)).toEqual([]);
    const read = readSegmentation(bytes, source.images.map((image) => ({ sopInstanceUid: image.sopInstanceUid, frame: image.frame })));
    expect(read.segments.map((s) => s.mask.some((v) => v !== 0))).toEqual([false, false]);
  });

  it('replaces the patient module in an anonymised SEG (byte search) and stays valid', async () => {
    const original = buildSegmentation(source, [segment('GGO', 'ggo', await plethoraEffusion())], OPTIONS);
    const text = Buffer.from(original).toString('latin1');
    expect(text).toContain(FIXTURE_PATIENT.name);
    expect(text).toContain(FIXTURE_PATIENT.birthDate);
    const anonymised = buildSegmentation(
      { ...source, patientName: 'ANONYMOUS', patientId: 'ANONYMOUS', patientBirthDate: '', patientSex: '', accessionNumber: '', referringPhysicianName: '', studyId: '' },
      [segment('GGO', 'ggo', await plethoraEffusion())],
      { ...OPTIONS, deidentificationMethod: 'test' },
    );
    const bytes = Buffer.from(anonymised);
    for (const identifier of [FIXTURE_PATIENT.name, FIXTURE_PATIENT.id, FIXTURE_PATIENT.birthDate, FIXTURE_PATIENT.accession]) {
      expect(bytes.includes(Buffer.from(identifier, 'latin1'))).toBe(false);
    }
    const path = join(work, 'anon.dcm');
    await writeFile(path, anonymised);
    expect(dciodvfyErrors(path)).toEqual([]);
  });

  it('refuses masks that do not fit the series', () => {
    expect(() => buildSegmentation(source, [segment('GGO', 'ggo', new Uint8Array(PIXELS))], OPTIONS)).toThrow(/need 1048576/);
  });
});

describe('analysis SEG for the analyzer (seg.dcm)', () => {
  it('writes the engine streams of an ingested series as a valid SEG with one segment per stream and label', async () => {
    const scan = await scanPaths([FIXTURE_STUDY]);
    const series = scan.studies[0]!.series[0]!;
    const effusion = await plethoraEffusion();
    const all = new Uint8Array(4 * PIXELS);
    paintRect(all, 1, 50, 50, 10, 10, 1);
    paintRect(all, 1, 70, 70, 10, 10, 2);
    for (let i = 0; i < all.length; i++) if (effusion[i]) all[i] = 3;
    const bytes = await buildAnalysisSeg(
      series,
      [
        { stream: 'effusion', labels: effusion },
        { stream: 'all', labels: all },
      ],
      { appVersion: '0.1.0', modelOfStream: { effusion: { id: 'seg-effusion', version: '2.0.0' }, all: { id: 'seg-all', version: '2.0.1' } } },
    );
    const path = join(work, 'analysis.seg.dcm');
    await writeFile(path, bytes);
    expect(dciodvfyErrors(path)).toEqual([]);
    const read = readSegmentation(bytes, series.instances.map((instance) => ({ sopInstanceUid: instance.sopInstanceUid, frame: instance.frame })));
    expect(read.segments.map((s) => [s.label, s.algorithmName])).toEqual([
      ['Pleural effusion (effusion model)', 'seg-effusion'],
      ['Ground-glass opacity (all-class model)', 'seg-all'],
      ['Consolidation (all-class model)', 'seg-all'],
      ['Pleural effusion (all-class model)', 'seg-all'],
    ]);
    expect(read.segments[1]!.mask.reduce((a, b) => a + b, 0)).toBe(100);
    expect(read.segments[2]!.mask.reduce((a, b) => a + b, 0)).toBe(100);
    expect(Buffer.compare(Buffer.from(read.segments[3]!.mask), Buffer.from(effusion))).toBe(0);
  });
});

describe('SEG over images without patient geometry', () => {
  it('writes frames of a multi-frame source without geometry (secondary capture) by stack position and reads them back', async () => {
    const frames = [0, 1, 2].map((frame) => ({ sopClassUid: '1.2.840.10008.5.1.4.1.1.7.2', sopInstanceUid: '1.2.826.0.1.3680043.2.1125.1', frame, imagePositionPatient: null }));
    const xray: SegSource = {
      ...source,
      frameOfReferenceUid: null,
      rows: 64,
      columns: 48,
      pixelSpacing: null,
      sliceThickness: null,
      spacingBetweenSlices: null,
      imageOrientationPatient: null,
      images: frames,
    };
    const mask = new Uint8Array(3 * 64 * 48);
    mask[64 * 48 + 7] = 1;
    mask[2 * 64 * 48 + 100] = 1;
    const bytes = buildSegmentation(xray, [segment('GGO', 'ggo', mask, true)], OPTIONS);
    const path = join(work, 'xray.dcm');
    await writeFile(path, bytes);
    expect(dciodvfyErrors(path)).toEqual([]);
    const read = readSegmentation(bytes, frames.map((image) => ({ sopInstanceUid: image.sopInstanceUid, frame: image.frame })));
    expect(Buffer.compare(Buffer.from(read.segments[0]!.mask), Buffer.from(mask))).toBe(0);
  });
});
