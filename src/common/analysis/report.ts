/**
 * The analysis report: one versioned schema for the headless analyzer's report.json,
 * the IPC answers the viewer shows, and what review sessions and exports record.
 * Additive changes keep schemaVersion; anything else bumps it.
 */
import { z } from 'zod';
import { ALL_CLASS_LABELS, MANIFESTATIONS, MANIFESTATION_LABELS, RESEARCH_NOTICE, STREAMS } from './constants';

export { ALL_CLASS_LABELS, MANIFESTATIONS, MANIFESTATION_LABELS, RESEARCH_NOTICE, STREAMS };

export const REPORT_SCHEMA_VERSION = 1;

export const Manifestation = z.enum(MANIFESTATIONS);
export type Manifestation = z.infer<typeof Manifestation>;

export const StreamId = z.enum(STREAMS);
export type StreamId = z.infer<typeof StreamId>;

export const Recognition = z.object({
  /** 2-class head: COVID-19 vs normal. */
  p2: z.object({ normal: z.number(), covid19: z.number() }),
  /** 4-class head. */
  p4: z.object({ covid19: z.number(), normal: z.number(), viral: z.number(), bacterial: z.number() }),
});
export type Recognition = z.infer<typeof Recognition>;

export const ManifestationProbabilities = z.object({ ggo: z.number(), consolidation: z.number(), effusion: z.number() });
export type ManifestationProbabilities = z.infer<typeof ManifestationProbabilities>;

export const InstanceResult = z.object({
  /** SOPInstanceUID for DICOM (plus `#<frame>` for frames of multi-frame files), file stem for images. */
  id: z.string(),
  path: z.string(),
  /** 0-based position in the series' spatial order. */
  sliceIndex: z.number().int(),
  frame: z.number().int().optional(),
  rows: z.number().int(),
  columns: z.number().int(),
  recognition: Recognition.optional(),
  manifestations: ManifestationProbabilities.optional(),
});
export type InstanceResult = z.infer<typeof InstanceResult>;

export const ManifestationExtent = z.object({
  /** Volume in millilitres (pixel spacing x spacing between slices); null when spacing is unknown. */
  volumeMl: z.number().nullable(),
  /** Number of slices with at least one mask pixel. */
  sliceCount: z.number().int(),
  pixelCount: z.number().int(),
});
export type ManifestationExtent = z.infer<typeof ManifestationExtent>;

export const StreamSummary = z.object({
  stream: StreamId,
  modelId: z.string(),
  /** For a specialized stream only its own manifestation is present. */
  manifestations: z.partialRecord(Manifestation, ManifestationExtent),
});
export type StreamSummary = z.infer<typeof StreamSummary>;

export const Verdict2 = z.enum(['covid19', 'normal']);
export const Verdict4 = z.enum(['covid19', 'normal', 'viral', 'bacterial']);

export const SeriesRecognition = z.object({
  probabilities: Recognition,
  verdict2: Verdict2,
  verdict4: Verdict4,
  /** How slice results were combined into the series verdict (documented in docs/analyzer.md). */
  aggregation: z.string(),
  slicesUsed: z.number().int(),
});
export type SeriesRecognition = z.infer<typeof SeriesRecognition>;

/** What the anatomical gate did to a CT series' masks (absent when no segmentation ran). */
export const AnatomicalGateSummary = z.object({
  /** True when at least one slice was gated. */
  applied: z.boolean(),
  /** Why it was not applied (switched off, slices not HU-calibrated); null when applied. */
  reason: z.string().nullable(),
  /** Slices gated, and among them slices with lung (GGO / consolidation are emptied on the others). */
  slicesGated: z.number().int(),
  slicesWithLung: z.number().int(),
  /** Mask pixels removed per stream, and their volume (null without spacing). */
  removed: z.partialRecord(StreamId, z.object({ pixelCount: z.number().int(), volumeMl: z.number().nullable() })),
});
export type AnatomicalGateSummary = z.infer<typeof AnatomicalGateSummary>;

export const SeriesResult = z.object({
  seriesInstanceUid: z.string(),
  studyInstanceUid: z.string().nullable(),
  modality: z.string(),
  kind: z.enum(['ct', 'xray']),
  description: z.string().nullable(),
  /** Pixel spacing (row, column) and spacing between slices in mm, when known. */
  spacingMm: z.tuple([z.number(), z.number(), z.number()]).nullable(),
  instances: z.array(InstanceResult),
  recognition: SeriesRecognition.nullable(),
  manifestations: z.object({ max: ManifestationProbabilities, mean: ManifestationProbabilities }).nullable(),
  streams: z.array(StreamSummary),
  /** Additive (schema 1): the anatomical gate on the masks; absent in older reports and without stage 3. */
  anatomicalGate: AnatomicalGateSummary.optional(),
});
export type SeriesResult = z.infer<typeof SeriesResult>;

export const ExecutionProviderReport = z.object({
  requested: z.enum(['auto', 'cpu', 'cuda']),
  used: z.enum(['cpu', 'cuda']),
  /** Why the requested provider was not used (e.g. CUDA libraries missing). */
  fallbackReason: z.string().nullable(),
});
export type ExecutionProviderReport = z.infer<typeof ExecutionProviderReport>;

export const ModelRef = z.object({ id: z.string(), version: z.string(), sha256: z.string() });
export type ModelRef = z.infer<typeof ModelRef>;

export const AnalysisReport = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  createdAt: z.string(),
  app: z.object({ name: z.string(), version: z.string() }),
  models: z.array(ModelRef),
  executionProvider: ExecutionProviderReport,
  timingsMs: z.object({ decode: z.number(), stage1: z.number(), stage2: z.number(), stage3: z.number(), gate: z.number().optional(), total: z.number() }),
  series: z.array(SeriesResult),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  notice: z.string(),
});
export type AnalysisReport = z.infer<typeof AnalysisReport>;


// ---- Additions for the viewer (IPC) — additive, schemaVersion unchanged.

export const AnalysisDevice = z.enum(['auto', 'cpu', 'cuda']);
export type AnalysisDevice = z.infer<typeof AnalysisDevice>;

export const StageTimings = z.object({ decode: z.number(), stage1: z.number(), stage2: z.number(), stage3: z.number(), gate: z.number().optional(), total: z.number() });
export type StageTimings = z.infer<typeof StageTimings>;

/** A finished analysis of one opened series, as the viewer (and sessions) receive it. */
export const SeriesAnalysis = z.object({
  /** The viewer's series id (studies feature). */
  seriesId: z.string(),
  result: SeriesResult,
  createdAt: z.string(),
  models: z.array(ModelRef),
  executionProvider: ExecutionProviderReport,
  timingsMs: StageTimings,
  /** Instances that could not be analysed, with the reason. */
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  /** Streams whose masks are available through analysis:get-masks. */
  streams: z.array(StreamId),
  options: z.object({ streams: z.array(StreamId), device: AnalysisDevice, skipStage23IfNormal: z.boolean(), anatomicalGate: z.boolean().optional() }),
  /** Viewer instance id for each InstanceResult.id (SOPInstanceUID[#frame]), to draw masks on the right image. */
  viewerInstanceIds: z.record(z.string(), z.string()),
  notice: z.string(),
});
export type SeriesAnalysis = z.infer<typeof SeriesAnalysis>;

/** One stream's label volume: slice-major, in series order, rows x columns per slice. */
export const SeriesMasks = z.object({
  stream: StreamId,
  rows: z.number().int().nonnegative(),
  columns: z.number().int().nonnegative(),
  slices: z.number().int().nonnegative(),
  /** Binary streams: 0/1; `all`: ALL_CLASS_LABELS (0 background, 1 GGO, 2 consolidation, 3 effusion). */
  labels: z.instanceof(Uint8Array),
  /** Viewer instance ids (as in studies:get-series), one per slice of `labels`. */
  instanceIds: z.array(z.string()),
  /** SOPInstanceUID (plus `#<frame>`) per slice, as in the report. */
  sopInstanceUids: z.array(z.string()),
});
export type SeriesMasks = z.infer<typeof SeriesMasks>;

export const EngineStatus = z.discriminatedUnion('available', [
  z.object({
    available: z.literal(true),
    models: z.array(z.object({ id: z.string(), version: z.string(), sha256: z.string(), weightStorage: z.string() })),
    executionProvider: ExecutionProviderReport,
  }),
  z.object({
    available: z.literal(false),
    /** Why the AI is unavailable (models not installed, corrupt model file, ...). */
    reason: z.string(),
  }),
]);
export type EngineStatus = z.infer<typeof EngineStatus>;
