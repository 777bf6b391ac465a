import { join } from 'node:path';
import type { IngestedSeries, IngestedStudy } from '../../../src/main/services/ingest';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/dicom');

export function allSeries(studies: readonly IngestedStudy[]): IngestedSeries[] {
  return studies.flatMap((study) => study.series);
}

export function seriesByDescription(studies: readonly IngestedStudy[], description: string): IngestedSeries[] {
  return allSeries(studies).filter((series) => series.seriesDescription === description);
}
