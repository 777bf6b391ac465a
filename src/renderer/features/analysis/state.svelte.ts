/**
 * State and actions of the AI panel: runs the pipeline on the series on screen, follows its
 * progress, keeps finished results per series while the app runs (the main process keeps
 * them too; analysis:get-result brings them back after a series change), and puts the
 * stream masks on the CT through the segmentation feature.
 */
import { SvelteMap } from 'svelte/reactivity';
import { MANIFESTATIONS, MANIFESTATION_LABELS, STREAMS, type ManifestationName, type StreamName } from '../../../common/analysis/constants';
import type { EngineStatus, SeriesAnalysis } from '../../../common/analysis/report';
import type { AnalysisProgress } from '../../../common/ipc/analysis';
import type { SeriesDetail } from '../../../common/dicom/study-tree';
import { api } from '../../lib/api';
import { onSeriesDisplayed, viewer } from '../../state/viewer.svelte';
import { hasLayer, removeLayer, setLayerOpacity, setLayerVisible, setRenderStyle, setSegmentColor, showLabelmapLayer, type RenderStyle, type Rgb, type SegmentSpec } from '../segmentation';
import { DEFAULT_COLORS } from './colors';
import { alignMasksToSeries, diceByClass, type ClassAgreement } from './summary';

export type Stage = AnalysisProgress['stage'];
export const STAGE_LABELS: Record<Stage, string> = {
  'loading-models': 'Loading models',
  recognition: 'Recognition',
  manifestations: 'Manifestations',
  segmentation: 'Segmentation',
};

export interface RunningJob {
  /** null until analysis:start answered (progress may arrive first). */
  jobId: string | null;
  seriesId: string;
  kind: 'ct' | 'xray';
  streams: StreamName[];
  stages: Partial<Record<Stage, { done: number; total: number }>>;
  stage: Stage | null;
  etaMs: number | null;
  cancelling: boolean;
}

export const STREAM_LABELS: Record<StreamName, string> = {
  ggo: 'GGO',
  consolidation: 'Consolidation',
  effusion: 'Effusion',
  all: 'All-class model',
};

export const layerIdOf = (stream: StreamName) => `ai:${stream}`;

class AnalysisState {
  /** What the engine can do (models, provider), or why it cannot run. */
  engine = $state<EngineStatus | null>(null);
  /** Finished analyses by viewer series id, for this app session. */
  results = new SvelteMap<string, SeriesAnalysis>();
  job = $state<RunningJob | null>(null);
  /** A problem to show in the panel (failed run, masks that could not be shown). */
  message = $state<{ kind: 'error' | 'info'; text: string } | null>(null);
  /** Streams the next run will compute (stream choice for re-runs). */
  requestedStreams = $state<StreamName[]>([...STREAMS]);

  /** Per-stream visibility (checkboxes, Shift+1..4). The all-class model starts hidden: it overlaps the others. */
  visible = $state<Record<StreamName, boolean>>({ ggo: true, consolidation: true, effusion: true, all: false });
  colors = $state<Record<ManifestationName, Rgb>>({ ...DEFAULT_COLORS });
  opacity = $state(0.5);
  renderStyle = $state<RenderStyle>('fill');
  /** Compare mode: flip between the specialized streams and the all-class model (see MaskControls). */
  compare = $state(false);
  compareSide = $state<'specialized' | 'all'>('specialized');
  /** Stream layers on screen for the active series. */
  shownStreams = $state<StreamName[]>([]);
  masksLoading = $state(false);
  agreement = $state<ClassAgreement[] | null>(null);

  readonly current = $derived(viewer.activeSeries ? (this.results.get(viewer.activeSeries.seriesId) ?? null) : null);
  readonly running = $derived(this.job !== null);
}

export const analysis = new AnalysisState();

/** Bumped when another series is displayed, so slow mask loads for the old one stop. */
let maskGeneration = 0;

function kindOf(series: SeriesDetail): 'ct' | 'xray' {
  return series.modality === 'CT' ? 'ct' : 'xray';
}

export function canAnalyze(): boolean {
  return viewer.activeSeries !== null && viewer.displayed && analysis.job === null && analysis.engine?.available !== false;
}

export async function analyzeActiveSeries(): Promise<void> {
  const series = viewer.activeSeries;
  if (!series || analysis.job) return;
  const kind = kindOf(series);
  const streams = kind === 'ct' ? [...analysis.requestedStreams] : [];
  analysis.message = null;
  analysis.job = { jobId: null, seriesId: series.seriesId, kind, streams, stages: {}, stage: null, etaMs: null, cancelling: false };
  try {
    const { jobId } = await api.invoke('analysis:start', { seriesId: series.seriesId, streams, device: 'auto' });
    if (analysis.job?.seriesId === series.seriesId && analysis.job.jobId === null) analysis.job.jobId = jobId;
  } catch (error) {
    analysis.job = null;
    analysis.message = { kind: 'error', text: error instanceof Error ? error.message : String(error) };
  }
}

export async function cancelAnalysis(): Promise<void> {
  const job = analysis.job;
  if (!job?.jobId || job.cancelling) return;
  job.cancelling = true;
  await api.invoke('analysis:cancel', { jobId: job.jobId });
}

function isOurs(jobId: string, seriesId: string): boolean {
  const job = analysis.job;
  return job !== null && (job.jobId === jobId || (job.jobId === null && job.seriesId === seriesId));
}

/** Subscribe to the engine's events and the viewer's series changes; returns the unsubscriber. */
export function followAnalysis(): () => void {
  const stops = [
    api.on('analysis:progress', (progress) => {
      if (!isOurs(progress.jobId, progress.seriesId) || !analysis.job) return;
      analysis.job.jobId ??= progress.jobId;
      analysis.job.stages[progress.stage] = { done: progress.done, total: progress.total };
      analysis.job.stage = progress.stage;
      analysis.job.etaMs = progress.etaMs;
    }),
    api.on('analysis:finished', (finished) => {
      if (!isOurs(finished.jobId, finished.seriesId)) return;
      analysis.job = null;
      if (finished.status === 'done') void loadResult(finished.seriesId, true);
      else if (finished.status === 'cancelled') analysis.message = { kind: 'info', text: 'Analysis cancelled. Earlier results of this series, if any, are kept.' };
      else analysis.message = { kind: 'error', text: finished.error ?? 'The analysis failed.' };
    }),
    api.on('app:menu-command', ({ command }) => {
      if (command === 'analyze') void analyzeActiveSeries();
    }),
    onSeriesDisplayed((series) => {
      maskGeneration++;
      analysis.shownStreams = [];
      analysis.agreement = null;
      void loadResult(series.seriesId, false);
      // Loading the six models takes seconds of CPU: not while the first series streams in,
      // but once it is on screen, so the first Analyze starts at once.
      if (analysis.engine === null) void loadEngineInfo();
    }),
  ];
  return () => stops.forEach((stop) => stop());
}

let engineInfoRequested = false;

async function loadEngineInfo(): Promise<void> {
  if (engineInfoRequested) return;
  engineInfoRequested = true;
  try {
    analysis.engine = await api.invoke('analysis:get-engine-info', undefined);
  } catch (error) {
    analysis.engine = { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Fetch a series' result (fresh after a run, or kept from earlier) and show it if it is on screen. */
async function loadResult(seriesId: string, fresh: boolean): Promise<void> {
  let result = fresh ? undefined : analysis.results.get(seriesId);
  if (!result) {
    const fetched = await api.invoke('analysis:get-result', { seriesId });
    if (!fetched) return;
    analysis.results.set(seriesId, fetched);
    result = fetched;
  }
  if (viewer.activeSeries?.seriesId === seriesId) await showMasks(result);
}

function segmentsOf(stream: StreamName): SegmentSpec[] {
  if (stream === 'all') {
    return MANIFESTATIONS.map((manifestation, i) => ({ index: i + 1, label: MANIFESTATION_LABELS[manifestation], color: analysis.colors[manifestation] }));
  }
  return [{ index: 1, label: MANIFESTATION_LABELS[stream], color: analysis.colors[stream] }];
}

async function showMasks(result: SeriesAnalysis): Promise<void> {
  const series = viewer.activeSeries;
  if (!series || result.result.kind !== 'ct' || viewer.layout !== 'mpr' || !viewer.volumeId) return;
  const myGeneration = ++maskGeneration;
  const instanceIds = series.instances.map((instance) => instance.id);
  const aligned: Partial<Record<StreamName, Uint8Array>> = {};
  analysis.masksLoading = true;
  analysis.shownStreams = [];
  analysis.agreement = null;
  try {
    for (const stream of STREAMS) {
      if (!result.streams.includes(stream)) {
        // A re-run with fewer streams must not leave the previous run's mask on screen.
        removeLayer(layerIdOf(stream));
        continue;
      }
      const masks = await api.invoke('analysis:get-masks', { seriesId: result.seriesId, stream });
      if (myGeneration !== maskGeneration) return;
      if (!masks) continue;
      const labels = alignMasksToSeries(masks, instanceIds);
      aligned[stream] = labels;
      await showLabelmapLayer({ id: layerIdOf(stream), labels, segments: segmentsOf(stream) });
      if (myGeneration !== maskGeneration) return;
      setLayerOpacity(layerIdOf(stream), analysis.opacity);
      setLayerVisible(layerIdOf(stream), analysis.visible[stream]);
      analysis.shownStreams = [...analysis.shownStreams, stream];
    }
    setRenderStyle(analysis.renderStyle);
    if (aligned.all) {
      const { ggo, consolidation, effusion } = aligned;
      analysis.agreement = diceByClass({ ggo, consolidation, effusion }, aligned.all);
    }
  } catch (error) {
    analysis.message = { kind: 'error', text: `Could not show the masks: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    if (myGeneration === maskGeneration) analysis.masksLoading = false;
  }
}

export function setStreamVisible(stream: StreamName, visible: boolean): void {
  analysis.visible[stream] = visible;
  if (hasLayer(layerIdOf(stream))) setLayerVisible(layerIdOf(stream), visible);
}

export function toggleStream(stream: StreamName): void {
  setStreamVisible(stream, !analysis.visible[stream]);
}

export function setManifestationColor(manifestation: ManifestationName, rgb: Rgb): void {
  analysis.colors[manifestation] = rgb;
  if (hasLayer(layerIdOf(manifestation))) setSegmentColor(layerIdOf(manifestation), 1, rgb);
  if (hasLayer(layerIdOf('all'))) setSegmentColor(layerIdOf('all'), MANIFESTATIONS.indexOf(manifestation) + 1, rgb);
}

export function setMaskOpacity(opacity: number): void {
  analysis.opacity = opacity;
  setLayerOpacity('all', opacity);
}

export function setMaskStyle(style: RenderStyle): void {
  analysis.renderStyle = style;
  setRenderStyle(style);
}

/**
 * Compare mode flips the same views between the specialized streams and the all-class
 * model (a blink comparison), through the ordinary visibility checkboxes.
 */
export function showCompareSide(side: 'specialized' | 'all'): void {
  analysis.compareSide = side;
  for (const stream of STREAMS) setStreamVisible(stream, side === 'all' ? stream === 'all' : stream !== 'all');
}

export function setCompare(on: boolean): void {
  analysis.compare = on;
  if (on) showCompareSide(analysis.compareSide);
}

export function flipCompareSide(): void {
  if (!analysis.compare) setCompare(true);
  showCompareSide(analysis.compareSide === 'specialized' ? 'all' : 'specialized');
}
