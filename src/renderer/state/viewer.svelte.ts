/**
 * Renderer-side state of the viewer, as Svelte 5 runes. One instance, `viewer`, read by
 * every feature; only the feature that owns a field writes it (noted per field).
 *
 * For the AI-panel and review features: `viewer.activeSeries` (the series on screen,
 * with per-instance geometry), `viewer.volumeId` (Cornerstone volume of a CT series, or
 * null for stacks), `viewer.sliceIndex` / `viewer.sliceCount` (axial slice or stack
 * image on screen, 0-based in `activeSeries.instances` order), and `viewer.imageIds`.
 * Use `onSeriesDisplayed()` to react once a series is fully on screen.
 */
import type { RecentStudy, ScanProgress, SeriesDetail, SkippedFile, StudySummary } from '../../common/dicom/study-tree';
import { VIEWPORT_IDS, type ViewportId } from '../features/viewport/cornerstone';

export type ToolName = 'WindowLevel' | 'Pan' | 'Zoom' | 'Length' | 'EllipticalROI' | 'Crosshairs';

export interface Measurement {
  annotationUid: string;
  tool: 'Length' | 'EllipticalROI';
  viewportId: string;
  /** Human-readable lines, e.g. "Mean -812.4 HU", "Area 412.3 mm²". */
  lines: string[];
}

export interface LoadProgress {
  /** What is being loaded, in words. */
  label: string;
  done: number;
  total: number;
}

class ViewerState {
  /** Studies currently open (studyBrowser). */
  studies = $state<StudySummary[]>([]);
  /** Files the last open skipped, with the reason (studyBrowser). */
  skipped = $state<SkippedFile[]>([]);
  recent = $state<RecentStudy[]>([]);
  /** Folder scan progress while a study opens (studyBrowser). */
  scan = $state<ScanProgress | null>(null);
  /** Set while opening a study or loading a series: drives the progress bar (studyBrowser, viewport). */
  load = $state<LoadProgress | null>(null);
  /** A problem to show the user; null when all is well. */
  error = $state<string | null>(null);

  /** Series chosen in the browser (studyBrowser). */
  selectedSeriesId = $state<string | null>(null);
  /** Series on screen, once its details arrived (viewport). */
  activeSeries = $state<SeriesDetail | null>(null);
  /** Cornerstone image ids of `activeSeries`, in its instance order (viewport). */
  imageIds = $state<string[]>([]);
  /** Cornerstone volume id when `activeSeries` is shown as a volume (viewport). */
  volumeId = $state<string | null>(null);
  /** 'mpr' for CT volumes, 'stack' for X-ray and single images (viewport). */
  layout = $state<'empty' | 'mpr' | 'stack'>('empty');
  /** Axial slice (MPR) or stack image on screen, 0-based in instance order (viewport). */
  sliceIndex = $state(0);
  sliceCount = $state(0);
  /** Viewport that keyboard shortcuts act on (viewport). */
  activeViewportId = $state<ViewportId>(VIEWPORT_IDS.axial);
  /** Window centre/width on screen, per viewport (viewport). */
  voi = $state<Record<string, { center: number; width: number }>>({});
  /** performance.now() when the first image of the active series was drawn (viewport). */
  firstImageAt = $state<number | null>(null);
  /** Counts display requests; with `displayed`, lets tests and tools wait for a given series (viewport). */
  displayGeneration = $state(0);
  /** True once the active series is fully loaded and drawn. */
  displayed = $derived(this.firstImageAt !== null && this.load === null && this.layout !== 'empty');

  /** Left-button tool (tools). */
  activeTool = $state<ToolName>('WindowLevel');
  /** Length and ROI measurements with their statistics (tools). */
  measurements = $state<Measurement[]>([]);

  /** Help overlay visible (shell). */
  showHelp = $state(false);
}

export const viewer = new ViewerState();

type SeriesListener = (series: SeriesDetail) => void;
// A listener registry, not UI state: nothing renders from it, so no reactive set.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const seriesListeners = new Set<SeriesListener>();

/** Be told each time a series has been put on screen (after its first image rendered). */
export function onSeriesDisplayed(listener: SeriesListener): () => void {
  seriesListeners.add(listener);
  return () => seriesListeners.delete(listener);
}

export function notifySeriesDisplayed(series: SeriesDetail): void {
  for (const listener of seriesListeners) listener(series);
}
