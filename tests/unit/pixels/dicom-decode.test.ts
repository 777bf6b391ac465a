import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDicomFrame, type SampleArray } from '../../../src/main/services/pixels';

const FIXTURES = join(import.meta.dirname, '../../fixtures/pixels');

interface Reference {
  transferSyntaxUid: string;
  rows: number;
  columns: number;
  sha256: string;
  min: number;
  max: number;
  sum: number;
}
const references = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as Record<string, Reference>;

function stats(samples: SampleArray) {
  const asInt32 = Int32Array.from(samples);
  const sha256 = createHash('sha256').update(new Uint8Array(asInt32.buffer)).digest('hex');
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of asInt32) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { sha256, min, max, sum };
}

describe('DICOM pixel decoding matches pydicom', () => {
  // Every fixture decodes to exactly pydicom's stored values: the lossless ones and also the
  // lossy ones, because both sides run the same codec libraries (CharLS, OpenJPEG, libjpeg).
  it.each(Object.keys(references))('%s', async (file) => {
    const reference = references[file]!;
    const { module, frame } = await readDicomFrame(join(FIXTURES, file));
    expect(module.transferSyntaxUid).toBe(reference.transferSyntaxUid);
    expect([frame.rows, frame.columns]).toEqual([reference.rows, reference.columns]);
    expect(frame.samples.length).toBe(reference.rows * reference.columns);
    expect(stats(frame.samples)).toEqual({ sha256: reference.sha256, min: reference.min, max: reference.max, sum: reference.sum });
  });

  it('the bundled sample (JPEG-LS, 12 of 16 bits stored) decodes to the values pydicom gives', async () => {
    // Reference: pydicom 2.3 + gdcm on resources/sample/Lung_Dx-A0001/CT-chest-5mm/1-30.dcm.
    const { frame } = await readDicomFrame(join(import.meta.dirname, '../../../resources/sample/Lung_Dx-A0001/CT-chest-5mm/1-30.dcm'));
    expect(stats(frame.samples)).toEqual({ sha256: '81cb8ba09b5e4bc1ef2da6b163ebaffe008e2dc8ebb92848537dc2c097f4de70', min: 0, max: 3195, sum: 82471293 });
  });

  it('decodes each frame of a fragmented multi-frame JPEG-LS file without offset table', async () => {
    // Several fragments per frame and an empty basic offset table: frames are found by their
    // JPEG markers. Reference: the uncompressed original (see LICENSES.md).
    const reference = JSON.parse(readFileSync(join(FIXTURES, 'multiframe-reference.json'), 'utf8')) as { frames: Array<Omit<Reference, 'transferSyntaxUid' | 'rows' | 'columns'>> };
    for (const [index, expected] of reference.frames.entries()) {
      const { module, frame } = await readDicomFrame(join(FIXTURES, 'multiframe-fragmented-jpeg-ls.dcm'), index);
      expect(module.numberOfFrames).toBe(reference.frames.length);
      expect(stats(frame.samples)).toEqual(expected);
    }
  });

  it('covers every transfer syntax the analyzer claims to decode', () => {
    const covered = new Set(Object.values(references).map((r) => r.transferSyntaxUid));
    for (const uid of ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.5', '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91']) {
      expect(covered).toContain(uid);
    }
  });

  it('reports a file without pixel data instead of crashing', async () => {
    await expect(readDicomFrame(join(FIXTURES, 'no-pixel-data.dcm'))).rejects.toThrow(/no pixel data/);
  });

  it('reports a file that is not DICOM', async () => {
    await expect(readDicomFrame(join(FIXTURES, 'reference.json'))).rejects.toThrow(/Not a readable DICOM file/);
  });

  it('reports a truncated file', async () => {
    const { decodeDicomBytes } = await import('../../../src/main/services/pixels');
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'native-explicit-le.dcm')));
    await expect(decodeDicomBytes(bytes.subarray(0, bytes.length - 5000))).rejects.toThrow(/truncated or damaged/);
  });

  it('reports a corrupt JPEG-LS stream, and the codec keeps working afterwards', async () => {
    const { decodeDicomBytes } = await import('../../../src/main/services/pixels');
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'jpeg-ls-lossless.dcm')));
    const corrupt = bytes.slice();
    corrupt.fill(0xff, 60000, 60100);
    await expect(decodeDicomBytes(corrupt)).rejects.toThrow(/JPEG-LS decoding failed/);
    const { frame } = await decodeDicomBytes(bytes);
    expect(stats(frame.samples).sha256).toBe(references['jpeg-ls-lossless.dcm']!.sha256);
  });

  it('reports a frame number beyond the file', async () => {
    await expect(readDicomFrame(join(FIXTURES, 'native-explicit-le.dcm'), 3)).rejects.toThrow(/Frame 4 does not exist/);
  });
});
