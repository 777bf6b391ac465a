import { copyFile, mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanPaths, type ScanOutcome } from '../../../src/main/services/ingest';
import { dicomParser } from '../../../src/main/services/ingest/dicom-parser-runtime';
import type { ScanProgress } from '../../../src/common/dicom';
import { FIXTURES, allSeries, seriesByDescription } from './helpers';

describe('scanning the fixture folder', () => {
  let outcome: ScanOutcome;
  const progress: ScanProgress[] = [];
  beforeAll(async () => {
    outcome = await scanPaths([FIXTURES], { onProgress: (event) => progress.push(event), progressIntervalMs: 0 });
  });

  it('groups files into studies and series', () => {
    expect(outcome.studies).toHaveLength(3 + 7); // + one study per character-set sample
    const fixtureStudy = outcome.studies.find((study) => study.patientId === 'INGEST-01');
    expect(fixtureStudy?.patientName).toBe('Fixture^Ingest');
    expect(fixtureStudy?.series.map((series) => series.seriesDescription)).toEqual(['shuffled', 'gap', 'mixed', 'mixed']);
    const radiographs = outcome.studies.find((study) => study.patientId === '77654033');
    expect(radiographs?.series).toHaveLength(2);
  });

  it('orders slices by position along the normal, not by InstanceNumber', () => {
    const [shuffled] = seriesByDescription(outcome.studies, 'shuffled');
    expect(shuffled).toBeDefined();
    if (!shuffled) return;
    expect(shuffled.orderedBy).toBe('position');
    expect(shuffled.instances.map((instance) => instance.imagePositionPatient?.[2])).toEqual([-80, -75, -70, -65, -60]);
    // The fixture's instance numbers deliberately disagree with the anatomy.
    expect(shuffled.instances.map((instance) => instance.instanceNumber)).toEqual([3, 5, 1, 4, 2]);
    expect(shuffled.kind).toBe('volume');
    expect(shuffled.spacingBetweenSlices).toBeCloseTo(5, 6);
    expect(shuffled.pixelSpacing).toEqual([0.661468, 0.661468]);
    expect(shuffled.warnings).toEqual([]);
    expect(shuffled.instances[0]?.rescaleSlope).toBe(1);
    expect(shuffled.instances[0]?.bitsAllocated).toBe(16);
  });

  it('flags a gap in slice positions and does not offer it as a volume', () => {
    const [gap] = seriesByDescription(outcome.studies, 'gap');
    expect(gap?.kind).toBe('stack');
    expect(gap?.spacingBetweenSlices).toBeCloseTo(5, 6);
    expect(gap?.warnings.join(' ')).toMatch(/Missing slices: 1 gap.*10 mm where 5 mm is usual/u);
  });

  it('splits a series mixing image sizes into parts with #n ids', () => {
    const parts = seriesByDescription(outcome.studies, 'mixed');
    expect(parts.map((part) => [part.rows, part.numberOfInstances])).toEqual([
      [32, 4],
      [16, 2],
    ]);
    const [first, second] = parts;
    expect(second?.seriesId).toBe(`${first?.seriesInstanceUid}#2`);
    expect(first?.seriesId).toBe(first?.seriesInstanceUid);
    expect(first?.warnings[0]).toMatch(/split it into 2 parts/u);
    expect(first?.kind).toBe('volume');
  });

  it('exposes each frame of an enhanced multi-frame file as an instance with its own position', () => {
    const [multiFrame] = allSeries(outcome.studies).filter((series) => series.instances.some((instance) => instance.frame !== null));
    // Row cosines (-1,0,0) x column cosines (0,1,0) give a normal of (0,0,-1): ascending
    // along it puts z = -149 (frame 1) before z = -159 (frame 0).
    expect(multiFrame?.instances.map((instance) => instance.frame)).toEqual([1, 0]);
    expect(multiFrame?.instances.map((instance) => instance.imagePositionPatient)).toEqual([
      [99.5, -301.5, -149],
      [99.5, -301.5, -159],
    ]);
    expect(new Set(multiFrame?.instances.map((instance) => basename(instance.filePath)))).toEqual(new Set(['enhanced-ct-2frames.dcm']));
    expect(new Set(multiFrame?.instances.map((instance) => instance.id)).size).toBe(2);
    // One file id for both frames, so the viewer fetches and parses the file once.
    expect(new Set(multiFrame?.instances.map((instance) => instance.fileId)).size).toBe(1);
    // Functional groups: spacing and rescale come from the shared groups.
    expect(multiFrame?.pixelSpacing).toEqual([0.388672, 0.388672]);
    expect(multiFrame?.instances[0]?.rescaleIntercept).toBe(-1024);
    expect(multiFrame?.spacingBetweenSlices).toBe(10);
    expect(multiFrame?.instances[0]?.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.80');
  });

  it('opens radiographs without geometry as stacks ordered by instance number', () => {
    const radiographs = allSeries(outcome.studies).filter((series) => series.modality === 'CR');
    expect(radiographs).toHaveLength(2);
    for (const series of radiographs) {
      expect(series.kind).toBe('stack');
      expect(series.orderedBy).toBe('instance-number');
      expect(series.numberOfInstances).toBe(1);
      // A single image needs no "ordered by instance number" caveat.
      expect(series.warnings).toEqual([]);
    }
  });

  it('reports every unusable file with a plain reason and opens the rest', () => {
    const reasons = new Map(outcome.skipped.map((entry) => [basename(entry.path), entry.reason]));
    expect(reasons.get('truncated-pixels.dcm')).toMatch(/truncated/u);
    expect(reasons.get('DICOMDIR')).toMatch(/DICOMDIR/u);
    expect(reasons.get('report-sr.dcm')).toMatch(/structured report/u);
    expect(reasons.get('no-pixel-data.dcm')).toMatch(/no pixel data/u);
    expect(reasons.get('mpeg2-video.dcm')).toMatch(/unsupported transfer syntax MPEG-2/u);
    expect(reasons.get('photo-renamed.dcm')).toMatch(/not a DICOM file \(it is a JPEG image\)/u);
    expect(reasons.get('notes.txt')).toMatch(/not a DICOM file/u);
    expect(reasons.get('LICENSES.md')).toMatch(/not a DICOM file/u);
    const opened = allSeries(outcome.studies).reduce((sum, series) => sum + new Set(series.instances.map((i) => i.filePath)).size, 0);
    expect(outcome.stats.filesOpened).toBe(opened);
    expect(outcome.stats.filesOpened + outcome.stats.filesSkipped).toBe(outcome.stats.filesFound);
  });

  it('reports progress up to the total number of files', () => {
    const reading = progress.filter((event) => event.phase === 'reading');
    expect(reading.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', filesScanned: outcome.stats.filesFound, filesTotal: outcome.stats.filesFound });
    const counts = reading.map((event) => event.filesScanned);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
  });
});

describe('patient names in other character sets', () => {
  // Expected values are pydicom's decoding of the same files.
  it.each([
    ['chrFren.dcm', 'Buc^Jérôme'],
    ['chrRuss.dcm', 'Люкceмбypг'],
    ['chrX1.dcm', 'Wang^XiaoDong=王^小東'],
    ['chrX2.dcm', 'Wang^XiaoDong=王^小东'],
    ['chrH31.dcm', 'Yamada^Tarou=山田^太郎=やまだ^たろう'],
    ['chrH32.dcm', 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう'],
    ['chrI2.dcm', 'Hong^Gildong=洪^吉洞=홍^길동'],
  ])('%s reads as %s', async (file, name) => {
    const result = await scanPaths([join(FIXTURES, 'charsets', file)]);
    expect(result.studies[0]?.patientName).toBe(name);
  });
});

describe('damaged and odd files', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'pleura-ingest-broken-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('skips empty, header-truncated and garbage files without failing the scan', async () => {
    const good = join(FIXTURES, 'series/shuffled/file0.dcm');
    const bytes = await readFile(good);
    await writeFile(join(folder, 'empty.dcm'), new Uint8Array(0));
    await writeFile(join(folder, 'cut-in-header.dcm'), bytes.subarray(0, 700));
    await writeFile(join(folder, 'cut-after-preamble.dcm'), bytes.subarray(0, 132));
    const garbage = new Uint8Array(4096).map((_, index) => (index * 37) % 251);
    garbage.set([0x44, 0x49, 0x43, 0x4d], 128);
    await writeFile(join(folder, 'garbage-with-magic.dcm'), garbage);
    await copyFile(good, join(folder, 'good.dcm'));
    const result = await scanPaths([folder]);
    const reasons = new Map(result.skipped.map((entry) => [basename(entry.path), entry.reason]));
    expect(reasons.get('empty.dcm')).toBe('empty file (0 bytes)');
    expect(reasons.get('cut-in-header.dcm')).toMatch(/cut short|truncated or corrupt/u);
    expect(reasons.get('cut-after-preamble.dcm')).toMatch(/truncated or corrupt/u);
    expect(reasons.get('garbage-with-magic.dcm')).toMatch(/corrupt/u);
    expect(allSeries(result.studies)).toHaveLength(1);
  });

  it('opens a file whose header is far longer than the first read', async () => {
    // Splice a 200 kB private element (group 000B) into an explicit-VR slice, before group 0010.
    const original = new Uint8Array(await readFile(join(FIXTURES, 'series/shuffled/file0.dcm')));
    const dataSet = dicomParser.parseDicom(original, { untilTag: 'x7fe00010' });
    const next = Object.values(dataSet.elements)
      .filter((element) => element.tag > 'x000b0000' && element.tag < 'x7fe00010' && !element.tag.startsWith('x0002'))
      .sort((a, b) => a.dataOffset - b.dataOffset)[0];
    expect(next?.tag.startsWith('x0010')).toBe(true);
    const headerStart = (next?.dataOffset ?? 0) - 8;
    const creator = Buffer.concat([Buffer.from([0x0b, 0x00, 0x10, 0x00]), Buffer.from('LO'), Buffer.from([12, 0]), Buffer.from('PLEURA TEST ')]);
    const blob = Buffer.concat([Buffer.from([0x0b, 0x00, 0x00, 0x10]), Buffer.from('OB'), Buffer.from([0, 0]), Buffer.alloc(4), Buffer.alloc(200_000, 7)]);
    blob.writeUInt32LE(200_000, 8);
    const spliced = Buffer.concat([original.subarray(0, headerStart), creator, blob, original.subarray(headerStart)]);
    await writeFile(join(folder, 'long-header.dcm'), spliced);
    const result = await scanPaths([join(folder, 'long-header.dcm')]);
    expect(result.skipped).toEqual([]);
    expect(allSeries(result.studies)[0]?.instances[0]?.imagePositionPatient).toEqual([-158.135803, -179.035797, -80]);
  });

  it('reports a second copy of the same image as a duplicate', async () => {
    const copyFolder = await mkdtemp(join(tmpdir(), 'pleura-ingest-dup-'));
    try {
      await copyFile(join(FIXTURES, 'series/shuffled/file0.dcm'), join(copyFolder, 'a.dcm'));
      await copyFile(join(FIXTURES, 'series/shuffled/file0.dcm'), join(copyFolder, 'b.dcm'));
      const result = await scanPaths([copyFolder]);
      expect(allSeries(result.studies)[0]?.numberOfInstances).toBe(1);
      expect(result.skipped).toEqual([{ path: join(copyFolder, 'b.dcm'), reason: expect.stringMatching(/duplicate copy of .*a\.dcm/u) }]);
    } finally {
      await rm(copyFolder, { recursive: true, force: true });
    }
  });
});
