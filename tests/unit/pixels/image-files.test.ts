import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImageFileGrey } from '../../../src/main/services/pixels';

const FIXTURES = join(import.meta.dirname, '../../fixtures/pixels');
const references = JSON.parse(readFileSync(join(FIXTURES, 'images-reference.json'), 'utf8')) as Record<
  string,
  { rows: number; columns: number; sha256: string; sum: number }
>;

describe('PNG / JPEG images become the same 8-bit grey image as the Python reference (PIL)', () => {
  it.each(Object.keys(references))('%s', async (file) => {
    const reference = references[file]!;
    const image = await readImageFileGrey(join(FIXTURES, file));
    expect([image.rows, image.columns]).toEqual([reference.rows, reference.columns]);
    const sum = image.grey.reduce((total, v) => total + v, 0);
    expect({ sha256: createHash('sha256').update(image.grey).digest('hex'), sum }).toEqual({ sha256: reference.sha256, sum: reference.sum });
  });

  it('rejects a file that is neither PNG nor JPEG', async () => {
    await expect(readImageFileGrey(join(FIXTURES, 'reference.json'))).rejects.toThrow(/Not a PNG or JPEG/);
  });

  it('rejects a truncated PNG with a readable error', async () => {
    const { decodePng } = await import('../../../src/main/services/pixels');
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'grey.png')));
    expect(() => decodePng(bytes.subarray(0, 2000))).toThrow(/PNG/);
  });
});
