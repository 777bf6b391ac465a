import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDicomFrame, readImageFileGrey } from '../../../src/main/services/pixels';
import { dicomToDisplayU8, normalizeInto, prepareU8 } from '../../../src/main/services/engine/preprocess';
import { ModelManifest } from '../../../src/main/services/engine/manifest';

const FIXTURES = join(import.meta.dirname, '../../fixtures/engine');
const reference = JSON.parse(readFileSync(join(FIXTURES, 'preprocess-reference.json'), 'utf8')) as Record<string, Record<string, string | number>>;
const { preprocessing } = ModelManifest.parse(JSON.parse(readFileSync(join(FIXTURES, 'models/manifest.json'), 'utf8')));

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function display(file: string) {
  const path = join(FIXTURES, file);
  if (file.endsWith('.dcm')) {
    const { module, frame } = await readDicomFrame(path);
    return { rows: frame.rows, columns: frame.columns, grey: dicomToDisplayU8(frame, module, preprocessing.ctWindow) };
  }
  return readImageFileGrey(path);
}

describe('preprocessing is bit-identical to the Python reference (training/pleura_train/preprocess.py)', () => {
  it.each(Object.keys(reference))('%s', async (file) => {
    const expected = reference[file]!;
    const image = await display(file);
    expect([image.rows, image.columns]).toEqual([expected.rows, expected.columns]);
    expect(sha(image.grey)).toBe(expected.display);
    for (const [size, channels] of [
      [256, 1],
      [299, 3],
    ] as const) {
      const prepared = prepareU8(image.grey, image.rows, image.columns, size, preprocessing);
      expect(sha(prepared), `prepared ${size}`).toBe(expected[`prepared${size}`]);
      const tensor = new Float32Array(2 * channels * size * size);
      normalizeInto(prepared, channels, preprocessing.normalize.mean, preprocessing.normalize.std, tensor, 1);
      const second = new Uint8Array(tensor.buffer, channels * size * size * 4);
      expect(sha(second), `tensor ${size}x${channels}`).toBe(expected[`tensor${size}x${channels}`]);
    }
  });
});
