import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers';

const REPO_ROOT = join(import.meta.dirname, '../../..');

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface ScanJson {
  studies: Array<{
    patientName: string;
    series: Array<{
      seriesInstanceUid: string;
      seriesId: string;
      modality: string;
      description: string;
      numberOfInstances: number;
      rows: number;
      columns: number;
      pixelSpacing: [number, number] | null;
      spacingBetweenSlices: number | null;
      instances: Array<{ sopInstanceUid: string; path: string; imagePositionPatient: number[] | null }>;
    }>;
  }>;
  skipped: Array<{ path: string; reason: string }>;
}

describe('pleura scan', () => {
  it('prints the tree as JSON with sorted instances and paths, exit 0', async () => {
    const { code, stdout } = await runCli(['scan', join(FIXTURES, 'series/shuffled'), join(FIXTURES, 'broken'), '--json']);
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as ScanJson;
    const [series] = json.studies[0]?.series ?? [];
    expect(series).toMatchObject({ modality: 'CT', description: 'shuffled', numberOfInstances: 5, rows: 128, columns: 128, pixelSpacing: [0.661468, 0.661468] });
    expect(series?.spacingBetweenSlices).toBeCloseTo(5, 6);
    expect(series?.instances.map((instance) => instance.imagePositionPatient?.[2])).toEqual([-80, -75, -70, -65, -60]);
    for (const instance of series?.instances ?? []) {
      expect(instance.path.startsWith(join(FIXTURES, 'series/shuffled'))).toBe(true);
      expect(instance.sopInstanceUid).toMatch(/^[0-9.]+$/u);
    }
    expect(json.skipped.map((entry) => entry.path.split('/').at(-1)).sort()).toEqual(
      ['DICOMDIR', 'mpeg2-video.dcm', 'no-pixel-data.dcm', 'notes.txt', 'photo-renamed.dcm', 'report-sr.dcm', 'truncated-pixels.dcm'],
    );
    expect(json.skipped.every((entry) => entry.reason.length > 10)).toBe(true);
  });

  it('prints a readable tree with warnings and skipped files', async () => {
    const { code, stdout } = await runCli(['scan', join(FIXTURES, 'series'), join(FIXTURES, 'broken/notes.txt')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Patient: Fixture Ingest/u);
    expect(stdout).toMatch(/\[CT\] "shuffled": 5 image\(s\), 128×128, 0\.661468×0\.661468 mm pixels, 5 mm between slices, volume/u);
    expect(stdout).toMatch(/! Missing slices/u);
    expect(stdout).toMatch(/notes\.txt: not a DICOM file/u);
  });

  it('exits non-zero with a clear message when no series is found', async () => {
    const { code, stdout, stderr } = await runCli(['scan', join(FIXTURES, 'broken'), '--json']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/No DICOM image series found: all 7 file\(s\) were skipped/u);
    expect((JSON.parse(stdout) as ScanJson).skipped).toHaveLength(7);
  });

  it('exits 2 with usage when no folder is given', async () => {
    const { code, stderr } = await runCli(['scan']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Usage: npm run pleura -- scan/u);
  });
});
