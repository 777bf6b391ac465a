/**
 * Puts a series on screen: CT volumes as three MPR viewports over one streaming
 * volume, everything else as a stack. Keeps `viewer` (state/viewer.svelte.ts) in step
 * with what Cornerstone shows: slice index, window, first-render time.
 */
import { tick } from 'svelte';
import {
  Enums,
  cache,
  eventTarget,
  setVolumesForViewports,
  utilities as csUtils,
  volumeLoader,
  type StackViewport,
  type Types,
  type VolumeViewport,
} from '@cornerstonejs/core';
import dicomImageLoader from '@cornerstonejs/dicom-image-loader';
import type { SeriesDetail } from '../../../common/dicom/study-tree';
import { notifySeriesDisplayed, viewer } from '../../state/viewer.svelte';
import { attachTools, clearMeasurements } from '../tools/toolGroups';
import { fallbackWindow, type WindowPreset } from '../tools/presets';
import { MPR_VIEWPORT_IDS, VIEWPORT_IDS, ensureCornerstone, getRenderingEngine, type ViewportId } from './cornerstone';
import { imageIdFor } from './imageIds';
import { rememberFrameRescale } from './instanceMetadata';
import { nearestInstanceIndex } from './sliceGeometry';

const { ViewportType, OrientationAxis, Events } = Enums;

/** Bumped on every new display request, so a slow load never overwrites a newer one. */
let generation = 0;
let detachViewportEvents: (() => void) | null = null;

function viewportElement(id: ViewportId): HTMLDivElement {
  const element = document.querySelector<HTMLDivElement>(`[data-viewport-id="${id}"] .viewport-canvas`);
  if (!element) throw new Error(`Viewport element ${id} is not in the page`);
  return element;
}

export function currentViewportIds(): ViewportId[] {
  if (viewer.layout === 'mpr') return [...MPR_VIEWPORT_IDS];
  if (viewer.layout === 'stack') return [VIEWPORT_IDS.stack];
  return [];
}

/** Default window of the series: the first instance's DICOM window, else a modality fallback. */
export function seriesDefaultWindow(series: SeriesDetail): { center: number; width: number } | null {
  const first = series.instances[Math.floor(series.instances.length / 2)] ?? series.instances[0];
  if (first && first.windowCenter !== null && first.windowWidth !== null && first.windowWidth > 0) {
    return { center: first.windowCenter, width: first.windowWidth };
  }
  return fallbackWindow(series.modality);
}

/** Fetch (and cache) every file's header so the volume loader knows geometry and pixel format. */
async function prefetchHeaders(imageIds: string[], isCurrent: () => boolean): Promise<void> {
  const total = imageIds.length;
  let done = 0;
  let next = 0;
  const uriOf = (imageId: string) => dicomImageLoader.wadouri.parseImageId(imageId).url;
  // A few requests in flight: the bytes are local, parsing is the cost.
  const worker = async () => {
    while (next < imageIds.length && isCurrent()) {
      const imageId = imageIds[next++];
      if (!imageId) continue;
      await dicomImageLoader.wadouri.dataSetCacheManager.load(uriOf(imageId), undefined as never, imageId);
      done++;
      viewer.load = { label: 'Reading slices', done, total };
    }
  };
  await Promise.all(Array.from({ length: Math.min(6, imageIds.length) }, worker));
}

export interface DisplayOptions {
  /** Show a volume series as plain 2D images (the fallback when its volume cannot be built). */
  forceStack?: boolean;
}

export async function displaySeries(series: SeriesDetail, instanceUrlBase: string, options: DisplayOptions = {}): Promise<void> {
  const myGeneration = ++generation;
  // Synchronously, so nobody sees the new generation marked as displayed.
  viewer.displayGeneration = myGeneration;
  viewer.firstImageAt = null;
  viewer.load = { label: 'Preparing viewports', done: 0, total: 0 };
  const isCurrent = () => myGeneration === generation;
  // Stop following the previous series before anything else can render.
  detachViewportEvents?.();
  detachViewportEvents = null;
  await ensureCornerstone();
  const engine = getRenderingEngine();
  const imageIds = series.instances.map((instance) => imageIdFor(instanceUrlBase, instance));
  const layout = series.kind === 'volume' && imageIds.length >= 3 && !options.forceStack ? 'mpr' : 'stack';
  rememberFrameRescale(imageIds, series.instances);

  // Tear down what was shown before; measurements belong to the series they were made on.
  clearMeasurements();
  const previousVolumeId = viewer.volumeId;
  viewer.activeSeries = series;
  viewer.imageIds = imageIds;
  viewer.volumeId = null;
  viewer.sliceCount = imageIds.length;
  viewer.sliceIndex = Math.floor(imageIds.length / 2);
  viewer.layout = layout;
  viewer.activeViewportId = layout === 'mpr' ? VIEWPORT_IDS.axial : VIEWPORT_IDS.stack;
  await tick();

  const viewportIds = currentViewportIds();
  for (const id of Object.values(VIEWPORT_IDS)) {
    if (!viewportIds.includes(id) && engine.getViewport(id)) engine.disableElement(id);
  }
  engine.setViewports(
    viewportIds.map((viewportId) => ({
      viewportId,
      element: viewportElement(viewportId),
      type: layout === 'mpr' ? ViewportType.ORTHOGRAPHIC : ViewportType.STACK,
      defaultOptions: {
        background: [0, 0, 0] as Types.Point3,
        orientation:
          viewportId === VIEWPORT_IDS.coronal ? OrientationAxis.CORONAL : viewportId === VIEWPORT_IDS.sagittal ? OrientationAxis.SAGITTAL : OrientationAxis.AXIAL,
      },
    })),
  );
  attachTools(layout, viewportIds);
  if (previousVolumeId) cache.removeVolumeLoadObject(previousVolumeId);
  detachViewportEvents = listenToViewports(viewportIds, series);

  if (layout === 'mpr') {
    viewer.load = { label: 'Reading slices', done: 0, total: imageIds.length };
    performance.mark('pleura:display-start');
    // Parsed headers of the previous series are no longer needed (its volume is gone).
    dicomImageLoader.wadouri.dataSetCacheManager.purge();
    await prefetchHeaders(imageIds, isCurrent);
    performance.mark('pleura:headers-read');
    if (!isCurrent()) return;
    // A fresh id per display: the same series reopened after a rescan may have other ids.
    const volumeId = `cornerstoneStreamingImageVolume:${series.seriesId}:${myGeneration}`;
    const volume = await volumeLoader.createAndCacheVolume(volumeId, { imageIds });
    if (!isCurrent()) return;
    viewer.volumeId = volumeId;
    viewer.load = { label: 'Loading volume', done: 0, total: imageIds.length };
    const onProgress = (event: Event) => {
      const detail = (event as CustomEvent<{ volumeId: string; framesProcessed: number; numberOfFrames: number }>).detail;
      if (detail.volumeId !== volumeId || !isCurrent()) return;
      viewer.load = detail.framesProcessed >= imageIds.length ? null : { label: 'Loading volume', done: detail.framesProcessed, total: imageIds.length };
    };
    eventTarget.addEventListener(Events.IMAGE_VOLUME_MODIFIED, onProgress);
    (volume as unknown as { load(callback?: (e: { framesProcessed: number; totalNumFrames: number }) => void): void }).load((evt) => {
      if (evt.framesProcessed >= evt.totalNumFrames) {
        performance.mark('pleura:volume-loaded');
        eventTarget.removeEventListener(Events.IMAGE_VOLUME_MODIFIED, onProgress);
        if (isCurrent()) {
          viewer.load = null;
          // One more frame with the complete volume; it also announces the series as displayed.
          engine.renderViewports(viewportIds);
        }
      }
    });
    await setVolumesForViewports(engine, [{ volumeId }], [...viewportIds]);
    performance.mark('pleura:volume-attached');
    if (!isCurrent()) return;
    applyWindow(seriesDefaultWindow(series), viewportIds);
    // Start on the middle axial slice, like the thumbnail.
    const axial = engine.getViewport(VIEWPORT_IDS.axial);
    const middle = Math.floor(imageIds.length / 2);
    const current = axial ? csUtils.getImageSliceDataForVolumeViewport(axial as Types.IVolumeViewport) : null;
    if (axial && current) csUtils.scroll(axial, { delta: middle - current.imageIndex, volumeId });
  } else {
    viewer.load = { label: 'Loading image', done: 0, total: 1 };
    const stack = engine.getViewport(VIEWPORT_IDS.stack) as StackViewport;
    await stack.setStack(imageIds, Math.floor(imageIds.length / 2));
    if (!isCurrent()) return;
    applyWindow(seriesDefaultWindow(series), viewportIds);
    viewer.load = null;
  }
  engine.renderViewports(viewportIds);
}

function voiOf(viewportId: string): { center: number; width: number } | null {
  const viewport = getRenderingEngine().getViewport(viewportId);
  const range = (viewport?.getProperties() as { voiRange?: { lower: number; upper: number } } | undefined)?.voiRange;
  if (!range) return null;
  const { windowCenter, windowWidth } = csUtils.windowLevel.toWindowLevel(range.lower, range.upper);
  return { center: windowCenter, width: windowWidth };
}

/** Follows slice changes, window changes and renders of the viewports on screen. */
function listenToViewports(viewportIds: ViewportId[], series: SeriesDetail): () => void {
  const engine = getRenderingEngine();
  const cleanups: (() => void)[] = [];
  let announced = false;
  for (const viewportId of viewportIds) {
    const element = viewportElement(viewportId);
    const onRendered = () => {
      const viewport = engine.getViewport(viewportId);
      if (!viewport) return;
      element.parentElement?.setAttribute('data-rendered', 'true');
      updateSlice(viewportId);
      const voi = voiOf(viewportId);
      if (voi) viewer.voi = { ...viewer.voi, [viewportId]: voi };
      const hasImage = viewer.layout === 'mpr' ? viewer.volumeId !== null : (viewport as StackViewport).getCurrentImageId?.() !== undefined;
      if (hasImage && viewer.firstImageAt === null) {
        viewer.firstImageAt = performance.now();
        performance.mark('pleura:first-render');
      }
      if (hasImage && !announced && viewer.load === null) {
        announced = true;
        notifySeriesDisplayed(series);
      }
    };
    element.addEventListener(Events.IMAGE_RENDERED, onRendered);
    cleanups.push(() => element.removeEventListener(Events.IMAGE_RENDERED, onRendered));
    element.parentElement?.removeAttribute('data-rendered');
  }
  return () => cleanups.forEach((cleanup) => cleanup());
}

function updateSlice(viewportId: string): void {
  const viewport = getRenderingEngine().getViewport(viewportId);
  const series = viewer.activeSeries;
  if (!viewport || !series) return;
  const holder = document.querySelector(`[data-viewport-id="${viewportId}"]`);
  let index: number | null = null;
  let count: number | null = null;
  if (viewer.layout === 'mpr') {
    const slice = csUtils.getImageSliceDataForVolumeViewport(viewport as Types.IVolumeViewport);
    if (slice) {
      index = slice.imageIndex;
      count = slice.numberOfSlices;
    }
    // The axial plane is the acquisition plane: report the instance on screen, in the
    // series' own order, rather than Cornerstone's view-direction count.
    if (viewportId === VIEWPORT_IDS.axial) {
      const instanceIndex = nearestInstanceIndex(series.instances, viewport.getCamera().focalPoint ?? []);
      if (instanceIndex !== null) {
        index = instanceIndex;
        count = series.instances.length;
      }
    }
  } else {
    index = (viewport as StackViewport).getCurrentImageIdIndex();
    count = (viewport as StackViewport).getImageIds().length;
  }
  if (index === null || count === null) return;
  holder?.setAttribute('data-slice-index', String(index));
  holder?.setAttribute('data-slice-count', String(count));
  if (viewportId === VIEWPORT_IDS.axial || viewportId === VIEWPORT_IDS.stack) {
    viewer.sliceIndex = index;
    viewer.sliceCount = count;
  }
}

/** Show instance `index` (0-based, series order) in the axial or stack viewport. */
export function showSlice(index: number): void {
  const series = viewer.activeSeries;
  if (!series) return;
  const target = Math.max(0, Math.min(series.instances.length - 1, Math.round(index)));
  const engine = getRenderingEngine();
  if (viewer.layout === 'stack') {
    void (engine.getViewport(VIEWPORT_IDS.stack) as StackViewport | undefined)?.setImageIdIndex(target);
    return;
  }
  const axial = engine.getViewport(VIEWPORT_IDS.axial);
  if (!axial) return;
  const volumeId = viewer.volumeId ?? undefined;
  const onScreen = () => nearestInstanceIndex(series.instances, axial.getCamera().focalPoint ?? []);
  const current = onScreen();
  if (current === null || current === target) return;
  // Which way one scroll step moves through the instances depends on the camera's view
  // direction; probe it (one step and back) rather than trust a sign convention.
  csUtils.scroll(axial, { delta: 1, volumeId });
  let probed = onScreen();
  let sign: number;
  if (probed !== null && probed !== current) {
    sign = probed > current ? 1 : -1;
    csUtils.scroll(axial, { delta: -1, volumeId });
  } else {
    csUtils.scroll(axial, { delta: -1, volumeId });
    probed = onScreen();
    if (probed === null || probed === current) return; // a single-slice volume
    sign = probed < current ? 1 : -1;
    csUtils.scroll(axial, { delta: 1, volumeId });
  }
  csUtils.scroll(axial, { delta: sign * (target - current), volumeId });
}

/** Apply a window (null: let Cornerstone pick the image's full range). */
export function applyWindow(window: { center: number; width: number } | null, viewportIds: readonly string[] = currentViewportIds()): void {
  const engine = getRenderingEngine();
  for (const viewportId of viewportIds) {
    const viewport = engine.getViewport(viewportId) as StackViewport | VolumeViewport | undefined;
    if (!viewport) continue;
    if (window) {
      viewport.setProperties({ voiRange: csUtils.windowLevel.toLowHighRange(window.width, window.center) });
    } else {
      viewport.resetProperties();
    }
    viewport.render();
  }
}

export function applyPreset(preset: WindowPreset): void {
  const series = viewer.activeSeries;
  if (!series) return;
  // Hounsfield presets mean nothing on X-ray or MR pixel values.
  if (preset.center !== null && series.modality !== 'CT') return;
  const window = preset.center !== null && preset.width !== null ? { center: preset.center, width: preset.width } : seriesDefaultWindow(series);
  applyWindow(window);
}

/** Move the active viewport by `delta` slices (positive: towards the last slice). */
export function scrollActive(delta: number): void {
  const viewport = getRenderingEngine().getViewport(viewer.activeViewportId);
  if (!viewport) return;
  csUtils.scroll(viewport, { delta, volumeId: viewer.volumeId ?? undefined });
}

/** Back to the initial camera and the series window, in every viewport. */
export function resetView(): void {
  const series = viewer.activeSeries;
  if (!series) return;
  const engine = getRenderingEngine();
  for (const viewportId of currentViewportIds()) {
    const viewport = engine.getViewport(viewportId);
    viewport?.resetCamera();
  }
  applyWindow(seriesDefaultWindow(series));
}
