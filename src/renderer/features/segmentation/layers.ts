/**
 * Labelmap layers over the CT volume on screen, through @cornerstonejs/tools segmentation.
 * Features (AI results, review sessions) describe a layer as a label volume in series
 * instance order plus its segments; this module owns every Cornerstone segmentation call,
 * so no feature touches segmentation state directly.
 *
 * One layer = one Cornerstone segmentation (id = layer id) backed by a labelmap volume
 * derived from viewer.volumeId, shown in all three MPR viewports with its own colour LUT.
 */
import { cache, volumeLoader, type Types } from '@cornerstonejs/core';
import { Enums as toolEnums, segmentation } from '@cornerstonejs/tools';
import { viewer } from '../../state/viewer.svelte';
import { MPR_VIEWPORT_IDS, getRenderingEngine } from '../viewport/cornerstone';
import { readInstanceSlices, volumeSliceToInstance, writeInstanceSlices } from './sliceOrder';
import { followDisplayedVolume } from './lifecycle.svelte';

export type Rgb = [number, number, number];

export interface SegmentSpec {
  /** Label value in `labels` (1..n). */
  index: number;
  label: string;
  color: Rgb;
}

export interface LabelmapLayerSpec {
  /** e.g. 'ai:ggo', 'ai:all', 'reader-1:consolidation'. */
  id: string;
  /** Slice-major label volume in viewer.activeSeries instance order, rows x columns per slice. */
  labels: Uint8Array;
  segments: SegmentSpec[];
}

export type RenderStyle = 'fill' | 'outline';

interface Layer {
  id: string;
  labelmapVolumeId: string;
  referencedVolumeId: string;
  colorLutIndex: number;
  /** Cornerstone volume slice -> series instance index. */
  volumeToInstance: number[];
  sliceSize: number;
  instanceCount: number;
  opacity: number;
  visible: boolean;
}

const { Labelmap } = toolEnums.SegmentationRepresentations;
const DEFAULT_OPACITY = 0.5;

// Plain registries, not UI state: features keep their own reactive copies of what they show.
const layers = new Map<string, Layer>();
const lutSlots = new Map<string, number>();
let renderStyle: RenderStyle = 'fill';
let layerCounter = 0;

function engine() {
  return getRenderingEngine();
}

function mprViewportIds(): string[] {
  const rendering = engine();
  return MPR_VIEWPORT_IDS.filter((id) => rendering.getViewport(id) !== undefined);
}

function labelmapSlices(layer: Pick<Layer, 'labelmapVolumeId'>): Uint8Array[] {
  const volume = cache.getVolume(layer.labelmapVolumeId);
  if (!volume) return [];
  return volume.imageIds.map((imageId) => {
    const image = cache.getImage(imageId);
    if (!image) throw new Error(`Labelmap slice ${imageId} is missing from the cache`);
    return image.getPixelData() as Uint8Array;
  });
}

function styleFor(layer: Layer) {
  const alpha = layer.opacity;
  // Inactive and active styles are kept equal: which segmentation Cornerstone considers
  // "active" (the one brushes edit) must not change how the others look.
  if (renderStyle === 'fill') {
    const outline = Math.min(1, alpha + 0.25);
    return {
      renderFill: true,
      renderFillInactive: true,
      fillAlpha: alpha,
      fillAlphaInactive: alpha,
      renderOutline: alpha > 0,
      renderOutlineInactive: alpha > 0,
      outlineOpacity: outline,
      outlineOpacityInactive: outline,
      outlineWidth: 1,
      outlineWidthInactive: 1,
    };
  }
  return {
    renderFill: false,
    renderFillInactive: false,
    fillAlpha: 0,
    fillAlphaInactive: 0,
    renderOutline: true,
    renderOutlineInactive: true,
    outlineOpacity: alpha,
    outlineOpacityInactive: alpha,
    outlineWidth: 2,
    outlineWidthInactive: 2,
  };
}

function applyStyle(layer: Layer): void {
  segmentation.config.style.setStyle({ type: Labelmap, segmentationId: layer.id }, styleFor(layer));
}

function render(): void {
  const ids = mprViewportIds();
  if (ids.length > 0) engine().renderViewports(ids);
}

function dataModified(layer: Layer): void {
  selfModifying++;
  try {
    segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(layer.id);
  } finally {
    selfModifying--;
  }
}

/**
 * Show a label volume over the CT on screen (all MPR viewports), creating the layer or
 * replacing its labels and segments. Rejects when no CT volume is displayed.
 */
export async function showLabelmapLayer(spec: LabelmapLayerSpec): Promise<void> {
  const volumeId = viewer.volumeId;
  const series = viewer.activeSeries;
  if (!volumeId || !series || viewer.layout !== 'mpr') throw new Error('Masks can only be shown over a CT volume.');
  const volume = cache.getVolume(volumeId);
  if (!volume) throw new Error('The CT volume is not loaded yet.');
  followDisplayedVolume(removeAllLayers);
  const [columns, rows] = volume.dimensions as [number, number, number];
  const sliceSize = rows * columns;
  const instanceCount = series.instances.length;
  if (spec.labels.length !== sliceSize * instanceCount) {
    throw new Error(`Mask size ${spec.labels.length} does not match the series (${instanceCount} slices of ${rows} x ${columns}).`);
  }

  let layer = layers.get(spec.id);
  if (layer && layer.referencedVolumeId !== volumeId) {
    removeLayer(spec.id);
    layer = undefined;
  }
  if (!layer) layer = createLayer(spec, volumeId, volume.imageIds, sliceSize, instanceCount);

  writeInstanceSlices(spec.labels, sliceSize, layer.volumeToInstance, labelmapSlices(layer));
  for (const segment of spec.segments) setSegmentColor(spec.id, segment.index, segment.color, false);
  applyStyle(layer);
  dataModified(layer);
  render();
}

function createLayer(spec: LabelmapLayerSpec, volumeId: string, volumeImageIds: string[], sliceSize: number, instanceCount: number): Layer {
  const labelmapVolumeId = `pleura-labelmap:${spec.id}:${++layerCounter}`;
  volumeLoader.createAndCacheDerivedLabelmapVolume(volumeId, { volumeId: labelmapVolumeId });
  const lut: Types.ColorLUT = [[0, 0, 0, 0]];
  const maxIndex = Math.max(0, ...spec.segments.map((segment) => segment.index));
  for (let index = 1; index <= Math.max(maxIndex, 255); index++) lut.push([255, 255, 255, 255]);
  // Cornerstone has no public way to drop a LUT: reuse one slot per layer id instead of leaking one per re-run.
  const existingLut = lutSlots.get(spec.id);
  const colorLutIndex = existingLut === undefined ? segmentation.config.color.addColorLUT(lut) : segmentation.config.color.addColorLUT(lut, existingLut);
  lutSlots.set(spec.id, colorLutIndex);
  segmentation.addSegmentations([
    {
      segmentationId: spec.id,
      representation: { type: Labelmap, data: { volumeId: labelmapVolumeId } },
      config: {
        label: spec.id,
        segments: Object.fromEntries(spec.segments.map((segment) => [segment.index, { segmentIndex: segment.index, label: segment.label }])),
      },
    },
  ]);
  const viewportIds = mprViewportIds();
  segmentation.addLabelmapRepresentationToViewportMap(
    Object.fromEntries(viewportIds.map((viewportId) => [viewportId, [{ segmentationId: spec.id, type: Labelmap, config: { colorLUTOrIndex: colorLutIndex } }]])),
  );
  // Every layer is drawn, not only the "active" one (Cornerstone's default hides the rest).
  for (const viewportId of viewportIds) segmentation.config.style.setRenderInactiveSegmentations(viewportId, true);
  const layer: Layer = {
    id: spec.id,
    labelmapVolumeId,
    referencedVolumeId: volumeId,
    colorLutIndex,
    volumeToInstance: volumeSliceToInstance(volumeImageIds, viewer.imageIds),
    sliceSize,
    instanceCount,
    opacity: DEFAULT_OPACITY,
    visible: true,
  };
  layers.set(spec.id, layer);
  return layer;
}

export function hasLayer(id: string): boolean {
  return layers.has(id);
}

export function layerIds(): string[] {
  return [...layers.keys()];
}

export function setLayerVisible(id: string, visible: boolean): void {
  const layer = layers.get(id);
  if (!layer) return;
  layer.visible = visible;
  for (const viewportId of mprViewportIds()) {
    segmentation.config.visibility.setSegmentationRepresentationVisibility(viewportId, { segmentationId: id, type: Labelmap }, visible);
  }
  render();
}

export function isLayerVisible(id: string): boolean {
  return layers.get(id)?.visible ?? false;
}

export function setSegmentColor(id: string, segmentIndex: number, rgb: Rgb, rerender = true): void {
  if (!layers.has(id)) return;
  const color: Types.Color = [rgb[0], rgb[1], rgb[2], 255];
  // One LUT per layer, shared by its three viewports: setting it through one viewport recolours all.
  const [first] = mprViewportIds();
  if (first) segmentation.config.color.setSegmentIndexColor(first, id, segmentIndex, color);
  if (rerender) render();
}

/** Opacity 0..1 of one layer, or of every layer with 'all'. */
export function setLayerOpacity(id: string | 'all', opacity: number): void {
  const value = Math.max(0, Math.min(1, opacity));
  const targets = id === 'all' ? [...layers.values()] : [layers.get(id)].filter((layer): layer is Layer => layer !== undefined);
  for (const layer of targets) {
    layer.opacity = value;
    applyStyle(layer);
  }
  render();
}

export function setRenderStyle(style: RenderStyle): void {
  renderStyle = style;
  for (const layer of layers.values()) applyStyle(layer);
  render();
}

export function removeLayer(id: string): void {
  const layer = layers.get(id);
  if (!layer) return;
  layers.delete(id);
  segmentation.removeSegmentation(id);
  cache.removeVolumeLoadObject(layer.labelmapVolumeId);
  render();
}

export function removeAllLayers(): void {
  for (const id of [...layers.keys()]) removeLayer(id);
}

/** Current labels of a layer (after any brush edits), in series instance order. */
export function readLayerLabels(id: string): Uint8Array {
  const layer = layers.get(id);
  if (!layer) throw new Error(`No layer ${id}`);
  return readInstanceSlices(labelmapSlices(layer), layer.sliceSize, layer.volumeToInstance, layer.instanceCount);
}

/** Nested count so Cornerstone events raised by our own writes are not taken for brush edits. */
let selfModifying = 0;

export function isSelfModifying(): boolean {
  return selfModifying > 0;
}
