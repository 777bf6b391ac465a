import type { Recognition, SeriesRecognition } from '../../../../common/analysis/report';

/**
 * Which slices stage 1 (recognition) looks at. A CT series: up to `max` slices evenly
 * spaced over its central half, where the lungs are in a chest CT (the ends are often
 * the neck or the abdomen); that also keeps stage 1 from costing a full pass of the
 * heaviest model (Inception-v3, 299 px) over every slice. One image: that image.
 */
export const STAGE1_MAX_SLICES = 8;

export function selectStage1Slices(sliceCount: number, max = STAGE1_MAX_SLICES): number[] {
  if (sliceCount <= 0) return [];
  if (sliceCount <= max) return Array.from({ length: sliceCount }, (_, i) => i);
  const start = Math.floor(sliceCount / 4);
  const end = Math.ceil((sliceCount * 3) / 4) - 1;
  const span = end - start;
  const picked = new Set<number>();
  for (let k = 0; k < max; k++) picked.add(start + Math.round((k * span) / (max - 1)));
  return [...picked].sort((a, b) => a - b);
}

export const STAGE1_AGGREGATION =
  'mean of the slice probabilities over up to 8 slices evenly spaced across the central half of the series; COVID-19 when the mean 2-class COVID-19 probability >= the manifest threshold, 4-class verdict = highest mean probability';

/** Study-level verdicts: mean of probabilities (robust to one odd slice, unlike max). */
export function aggregateRecognition(slices: Recognition[], covidThreshold: number): SeriesRecognition | null {
  if (slices.length === 0) return null;
  const mean = (pick: (r: Recognition) => number) => slices.reduce((sum, r) => sum + pick(r), 0) / slices.length;
  const probabilities: Recognition = {
    p2: { normal: mean((r) => r.p2.normal), covid19: mean((r) => r.p2.covid19) },
    p4: { covid19: mean((r) => r.p4.covid19), normal: mean((r) => r.p4.normal), viral: mean((r) => r.p4.viral), bacterial: mean((r) => r.p4.bacterial) },
  };
  const classes4 = ['covid19', 'normal', 'viral', 'bacterial'] as const;
  let verdict4: (typeof classes4)[number] = 'covid19';
  for (const name of classes4) if (probabilities.p4[name] > probabilities.p4[verdict4]) verdict4 = name;
  return {
    probabilities,
    verdict2: probabilities.p2.covid19 >= covidThreshold ? 'covid19' : 'normal',
    verdict4,
    aggregation: slices.length === 1 ? 'single image' : STAGE1_AGGREGATION,
    slicesUsed: slices.length,
  };
}
