import type { SeriesResult } from '../../../common/analysis/report';

export interface ProbabilityCsvSlice {
  /** 1-based position in the series. */
  slice: number;
  sopInstanceUid: string;
  /** AI mask pixels per manifestation on this slice (from the specialised stream, else the all-class one). */
  maskPixels: { ggo: number | null; consolidation: number | null; effusion: number | null };
}

export interface ProbabilityCsvInput {
  series: SeriesResult | null;
  slices: ProbabilityCsvSlice[];
  /** Leave out SOPInstanceUIDs (they can be traced back to the patient's images). */
  anonymise: boolean;
}

function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(6)) : value;
  // RFC 4180 quoting; a leading =, +, - or @ is neutralised so spreadsheets do not run it as a formula.
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * Per-slice probabilities of the analysis (stage 1 recognition, stage 2 manifestations)
 * and the AI mask area per manifestation. No names, IDs or dates in any mode.
 */
export function buildProbabilityCsv(input: ProbabilityCsvInput): string {
  const header = [
    'slice',
    ...(input.anonymise ? [] : ['sop_instance_uid']),
    'p_covid19_2class',
    'p_normal_2class',
    'p_covid19_4class',
    'p_normal_4class',
    'p_viral_4class',
    'p_bacterial_4class',
    'p_ggo',
    'p_consolidation',
    'p_effusion',
    'ai_ggo_pixels',
    'ai_consolidation_pixels',
    'ai_effusion_pixels',
  ];
  const byId = new Map((input.series?.instances ?? []).map((instance) => [instance.id, instance]));
  const lines = [header.join(',')];
  for (const slice of input.slices) {
    const result = byId.get(slice.sopInstanceUid) ?? input.series?.instances.find((instance) => instance.sliceIndex === slice.slice - 1);
    const recognition = result?.recognition;
    const manifestations = result?.manifestations;
    const row = [
      slice.slice,
      ...(input.anonymise ? [] : [slice.sopInstanceUid]),
      recognition?.p2.covid19,
      recognition?.p2.normal,
      recognition?.p4.covid19,
      recognition?.p4.normal,
      recognition?.p4.viral,
      recognition?.p4.bacterial,
      manifestations?.ggo,
      manifestations?.consolidation,
      manifestations?.effusion,
      slice.maskPixels.ggo,
      slice.maskPixels.consolidation,
      slice.maskPixels.effusion,
    ];
    lines.push(row.map(cell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
