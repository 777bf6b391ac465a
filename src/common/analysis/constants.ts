/**
 * Plain constants of the analysis report, without zod: the renderer imports values from
 * here (importing report.ts would pull zod into the renderer bundle, whose eval probe trips
 * the CSP). report.ts re-exports them, so other code keeps importing from there.
 */
export const MANIFESTATIONS = ['ggo', 'consolidation', 'effusion'] as const;
export type ManifestationName = (typeof MANIFESTATIONS)[number];

/** A segmentation stream: one specialized binary model per manifestation, or the all-class model. */
export const STREAMS = ['ggo', 'consolidation', 'effusion', 'all'] as const;
export type StreamName = (typeof STREAMS)[number];

export const MANIFESTATION_LABELS: Record<ManifestationName, string> = {
  ggo: 'Ground-glass opacity',
  consolidation: 'Consolidation',
  effusion: 'Pleural effusion',
};

/** Label values in the `all` stream's masks. */
export const ALL_CLASS_LABELS = { background: 0, ggo: 1, consolidation: 2, effusion: 3 } as const;

export const RESEARCH_NOTICE =
  'Research use only. Pleura gives an AI second opinion; it is not a diagnosis and must not replace the judgement of a qualified clinician.';
