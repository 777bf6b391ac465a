/**
 * Fixture folders for e2e tests. The transfer-syntax files are stored gzipped (the
 * uncompressed CT images are half a megabyte each) and unpacked, one file per folder, into
 * a temp directory: each is the same CT image, so opened together they would be one
 * series; opened one by one, each shows its own decode path.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './testApp';

export const TRANSFER_SYNTAX_FIXTURES = join(REPO_ROOT, 'tests/fixtures/transfer-syntaxes');

export interface UnpackedFixture {
  /** File name without .gz. */
  name: string;
  /** Folder holding only this file. */
  folder: string;
  path: string;
}

export interface UnpackedFixtures {
  root: string;
  files: UnpackedFixture[];
  remove(): Promise<void>;
}

export async function unpackTransferSyntaxFixtures(): Promise<UnpackedFixtures> {
  const root = await mkdtemp(join(tmpdir(), 'pleura-ts-'));
  const names = (await readdir(TRANSFER_SYNTAX_FIXTURES)).filter((name) => name.endsWith('.gz')).sort();
  const files: UnpackedFixture[] = [];
  for (const [index, gz] of names.entries()) {
    const name = gz.slice(0, -'.gz'.length);
    const folder = join(root, String(index).padStart(2, '0'));
    await mkdir(folder);
    const path = join(folder, name);
    await writeFile(path, gunzipSync(await readFile(join(TRANSFER_SYNTAX_FIXTURES, gz))));
    files.push({ name, folder, path });
  }
  return { root, files, remove: () => rm(root, { recursive: true, force: true }) };
}
