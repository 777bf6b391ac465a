import type { ExecutionProviderReport, SeriesResult, StreamId } from '../../../common/analysis/report';

export type Device = 'auto' | 'cpu' | 'cuda';

/** One image of a series as the engine reads it: a DICOM frame or a PNG / JPEG file. */
export interface SliceInput {
  /** SOPInstanceUID (plus `#<frame>` for frames of multi-frame files), or the file stem for images. */
  id: string;
  path: string;
  source: 'dicom' | 'image';
  /** 0-based frame of a multi-frame DICOM file. */
  frame?: number;
}

/** A series in spatial order, as the ingest service (or the CLI for image files) describes it. */
export interface SeriesInput {
  seriesInstanceUid: string;
  studyInstanceUid: string | null;
  modality: string;
  kind: 'ct' | 'xray';
  description: string | null;
  /** Row spacing, column spacing, spacing between slices (mm); null when unknown. */
  spacingMm: [number, number, number] | null;
  slices: SliceInput[];
}

export interface AnalysisOptions {
  streams: StreamId[];
  /** Skip stages 2 and 3 when stage 1 says normal (off by default: early detection matters). */
  skipStage23IfNormal: boolean;
  /** Slices per inference batch (default 8). */
  batchSize?: number;
  /**
   * Anatomical gate on the segmentation masks (default true): GGO and consolidation only in
   * the lungs, pleural effusion only in the body next to them (docs/analyzer.md). Applies to
   * HU-calibrated CT DICOM slices; PNG/JPEG slices are never gated.
   */
  anatomicalGate?: boolean;
}

export type ProgressStage = 'loading-models' | 'recognition' | 'manifestations' | 'segmentation';

export interface Progress {
  stage: ProgressStage;
  done: number;
  total: number;
  /** Estimated time to the end of the whole job; null until there is a measurement. */
  etaMs: number | null;
}

/** A label volume of one stream: slice-major in series order, rows x columns per slice. */
export interface StreamMasks {
  stream: StreamId;
  rows: number;
  columns: number;
  /** Binary streams: 0 / 1. The `all` stream: 0 background, 1 GGO, 2 consolidation, 3 effusion. */
  labels: Uint8Array<ArrayBuffer>;
  instanceIds: string[];
}

export interface StageTimings {
  decode: number;
  stage1: number;
  stage2: number;
  stage3: number;
  /** Anatomical gate (masks of every stream), summed over slices. */
  gate: number;
  total: number;
}

export interface SkippedInput {
  path: string;
  reason: string;
}

export interface SeriesOutcome {
  result: SeriesResult;
  masks: StreamMasks[];
  skipped: SkippedInput[];
  timingsMs: StageTimings;
}

export interface EngineModelInfo {
  id: string;
  version: string;
  sha256: string;
  weightStorage: string;
}

export interface EngineInfo {
  models: EngineModelInfo[];
  provider: ExecutionProviderReport;
}
