import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SeriesInput, SliceInput } from '../../../src/main/services/engine';

export const ENGINE_FIXTURES = join(import.meta.dirname, '../../fixtures/engine');
export const TEST_MODELS = join(ENGINE_FIXTURES, 'models');
export const CT_DIR = join(ENGINE_FIXTURES, 'ct-series');

/** The fixture slices in spatial order (z descending as in the source series: -600.5, -603.5, -606.5). */
export const CT_FILES = [
  '1.3.6.1.4.1.32722.99.99.315633870241151892904804148053900377834.dcm',
  '1.3.6.1.4.1.32722.99.99.78834443798917552850949490060333490851.dcm',
  '1.3.6.1.4.1.32722.99.99.82802603186227822638651463200656463022.dcm',
];

export function ctSlices(): SliceInput[] {
  const present = new Set(readdirSync(CT_DIR));
  return CT_FILES.filter((f) => present.has(f)).map((f) => ({ id: f.replace(/\.dcm$/, ''), path: join(CT_DIR, f), source: 'dicom' as const }));
}

export function ctSeries(slices: SliceInput[] = ctSlices()): SeriesInput {
  return {
    seriesInstanceUid: '1.3.6.1.4.1.32722.99.99.test-series',
    studyInstanceUid: null,
    modality: 'CT',
    kind: 'ct',
    description: 'fixture',
    spacingMm: [0.9765625, 0.9765625, 3],
    slices,
  };
}
