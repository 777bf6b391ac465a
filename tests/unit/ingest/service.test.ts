import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStudiesService, scanPaths } from '../../../src/main/services/ingest';
import { FIXTURES, allSeries } from './helpers';

let workDir: string;
beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pleura-ingest-'));
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function snapshot(folder: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const info = await stat(path);
        const hash = createHash('sha256').update(await readFile(path)).digest('hex');
        result.set(relative(folder, path), `${hash} ${info.mtimeMs} ${info.size} ${info.mode}`);
      }
    }
  };
  await walk(folder);
  return result;
}

describe('folder walking', () => {
  it('follows links to files and folders but never loops, counting each file once', async () => {
    const study = join(workDir, 'study');
    await cp(join(FIXTURES, 'series/shuffled'), join(study, 'slices'), { recursive: true });
    await symlink(study, join(study, 'slices', 'loop-to-parent'), 'dir');
    await symlink(join(study, 'slices'), join(study, 'second-link-to-slices'), 'dir');
    await symlink(join(study, 'slices', 'file0.dcm'), join(study, 'link-to-file.dcm'), 'file');
    await symlink(join(workDir, 'missing.dcm'), join(study, 'broken-link.dcm'), 'file');
    const outside = join(workDir, 'outside');
    await cp(join(FIXTURES, 'radiograph'), outside, { recursive: true });
    await symlink(outside, join(study, 'link-to-outside'), 'dir');

    const result = await scanPaths([study]);
    const series = allSeries(result.studies);
    const shuffled = series.find((entry) => entry.seriesDescription === 'shuffled');
    expect(shuffled?.numberOfInstances).toBe(5);
    // Files reached through a followed folder link are opened too.
    expect(series.filter((entry) => entry.modality === 'CR')).toHaveLength(2);
    expect(result.stats.filesFound).toBe(7);
    expect(result.skipped).toEqual([{ path: join(study, 'broken-link.dcm'), reason: 'broken link (its target does not exist)' }]);
  });

  it('accepts single files as well as folders, and reports paths that do not exist', async () => {
    const file = join(FIXTURES, 'radiograph/CR1-6154.dcm');
    const result = await scanPaths([file, join(workDir, 'nope')]);
    expect(allSeries(result.studies)).toHaveLength(1);
    expect(result.skipped).toEqual([{ path: join(workDir, 'nope'), reason: 'file does not exist' }]);
  });
});

describe('studies service', () => {
  it('never writes to the opened folder', async () => {
    const study = join(workDir, 'study');
    await cp(FIXTURES, study, { recursive: true });
    const before = await snapshot(study);
    const service = createStudiesService({ recentsFile: join(workDir, 'profile', 'recent-studies.json') });
    const result = await service.openPaths([study]);
    for (const series of result.studies.flatMap((entry) => entry.series)) {
      for (const instance of series.instances) await service.readInstanceBytes(instance.id);
      service.getSeries(series.seriesId);
    }
    await service.dispose();
    expect(await snapshot(study)).toEqual(before);
    expect(before.size).toBeGreaterThan(20);
  });

  it('serves bytes only for the opaque ids it handed out', async () => {
    const service = createStudiesService({ recentsFile: null });
    const result = await service.openPaths([join(FIXTURES, 'series')]);
    const summary = result.studies[0]?.series[0];
    const first = summary?.instances[0];
    expect(first).toBeDefined();
    if (!summary || !first) return;
    expect(first.id).toMatch(/^[0-9a-f]{32}$/u);
    expect(JSON.stringify(result)).not.toContain(FIXTURES);

    const engineView = service.getSeries(summary.seriesId);
    const path = engineView?.instances[0]?.filePath ?? '';
    expect(basename(path)).toMatch(/\.dcm$/u);
    const bytes = await service.readInstanceBytes(first.id);
    expect(bytes && Buffer.from(bytes).equals(await readFile(path))).toBe(true);

    expect(first.fileId).toBe(first.id);
    expect(await service.readInstanceBytes('0'.repeat(32))).toBeNull();
    expect(await service.readInstanceBytes('../../etc/passwd')).toBeNull();
    expect(await service.readInstanceBytes(path)).toBeNull();
    await service.dispose();
    expect(await service.readInstanceBytes(first.id)).toBeNull();
  });

  it('serves a multi-frame file once under its file id and under each frame id', async () => {
    const service = createStudiesService({ recentsFile: null });
    const result = await service.openPaths([join(FIXTURES, 'multiframe')]);
    const instances = result.studies[0]?.series[0]?.instances ?? [];
    expect(instances).toHaveLength(2);
    const original = await readFile(join(FIXTURES, 'multiframe/enhanced-ct-2frames.dcm'));
    for (const id of [instances[0]?.fileId, instances[0]?.id, instances[1]?.id]) {
      const bytes = await service.readInstanceBytes(id ?? '');
      expect(bytes && Buffer.from(bytes).equals(original)).toBe(true);
    }
  });

  it('gives the engine sorted instances with paths and pixel-module attributes', async () => {
    const service = createStudiesService({ recentsFile: null });
    const result = await service.openPaths([join(FIXTURES, 'series/shuffled')]);
    const seriesId = result.studies[0]?.series[0]?.seriesId ?? '';
    const series = service.getSeries(seriesId);
    expect(series?.instances.map((instance) => instance.imagePositionPatient?.[2])).toEqual([-80, -75, -70, -65, -60]);
    expect(series?.instances[0]).toMatchObject({
      rows: 128,
      columns: 128,
      pixelSpacing: [0.661468, 0.661468],
      rescaleSlope: 1,
      rescaleIntercept: -1024,
      photometricInterpretation: 'MONOCHROME2',
      bitsAllocated: 16,
      bitsStored: 16,
      pixelRepresentation: 1,
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      frame: null,
    });
    expect(series?.modality).toBe('CT');
    expect(series?.spacingBetweenSlices).toBeCloseTo(5, 6);
    const detail = service.getSeriesDetail(seriesId);
    expect(detail?.instances[0]).not.toHaveProperty('filePath');
    expect(detail?.instances.map((instance) => instance.id)).toEqual(series?.instances.map((instance) => instance.id));
    expect(service.getSeries('no-such-series')).toBeNull();
  });

  it('remembers opened folders in an atomically written recent list', async () => {
    const recentsFile = join(workDir, 'profile', 'recent-studies.json');
    const service = createStudiesService({ recentsFile });
    await service.openPaths([join(FIXTURES, 'series/shuffled')]);
    await service.openPaths([join(FIXTURES, 'radiograph')]);
    await service.openPaths([join(FIXTURES, 'series/shuffled')]);
    await service.openPaths([join(FIXTURES, 'broken')]); // nothing opened: not remembered
    const recent = await service.listRecent();
    expect(recent.map((entry) => basename(entry.paths[0] ?? ''))).toEqual(['shuffled', 'radiograph']);
    expect(recent[0]?.label).toMatch(/^Fixture Ingest — .* \(1 series\)$/u);
    expect(await readdir(join(workDir, 'profile'))).toEqual(['recent-studies.json']);
    // A new app session reads the same list.
    const later = createStudiesService({ recentsFile });
    expect((await later.listRecent()).length).toBe(2);
  });

  it('starts with an empty recent list when the file is corrupt', async () => {
    const recentsFile = join(workDir, 'recent-studies.json');
    await mkdir(workDir, { recursive: true });
    await writeFile(recentsFile, '{ not json');
    const service = createStudiesService({ recentsFile });
    expect(await service.listRecent()).toEqual([]);
    await service.openPaths([join(FIXTURES, 'radiograph')]);
    expect(await service.listRecent()).toHaveLength(1);
  });
});
