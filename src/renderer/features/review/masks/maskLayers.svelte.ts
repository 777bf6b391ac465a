/**
 * The session's masks over the CT: the AI layer and each reader's edited masks as separate
 * labelmap layers (features/segmentation), one stream at a time, and brush/eraser editing
 * of the current reader's own layer. Each finished stroke goes to the service with
 * sessions:save-mask, sending only the slices it changed (startSlice).
 */
import type { Manifestation, StreamId } from '../../../../common/analysis/report';
import type { MaskEdit } from '../../../../common/ipc/sessions';
import type { SessionView } from '../../../../common/sessions/views';
import { api } from '../../../lib/api';
import { viewer } from '../../../state/viewer.svelte';
import { hasLayer, isLayerVisible as isCornerstoneLayerVisible, onLayerEdited, readLayerLabels, removeLayer, setEditing, setLayerVisible, showLabelmapLayer, type SegmentSpec } from '../../segmentation';
import { ALL_STREAM_LABEL, MANIFESTATION_COLORS, MANIFESTATION_IDS, MANIFESTATION_NAMES, STREAM_IDS, messageOf, readerColor } from '../labels';
import { setMaskEditSource } from '../session';
import { isLayerVisible, review } from '../state.svelte';
import { changedSliceRange, countLabelled, sessionToSeriesSlices, toSeriesOrder, toSessionOrder } from './order';

export type BrushTool = 'brush' | 'eraser';

class MaskEditorState {
  /** Stream whose masks are shown (and edited). */
  stream = $state<StreamId>('all');
  /** Manifestation painted in the all-class stream (binary streams have one). */
  manifestation = $state<Manifestation>('ggo');
  tool = $state<BrushTool | null>(null);
  radiusMm = $state(6);
  /** Labelled pixels of the reader's layer for `stream` after the last stroke sent. */
  pixelCount = $state<number | null>(null);
  /** Strokes sent to the service (tests and the status line read it). */
  strokesSaved = $state(0);
  error = $state<string | null>(null);
  /** Cornerstone layer ids on screen, with the session layer each belongs to. */
  shown = $state<{ id: string; layerId: string }[]>([]);
}

export const maskEditor = new MaskEditorState();

export const cornerstoneLayerId = (layerId: string, stream: StreamId) => `review:${layerId}:${stream}`;

/** The reader's layer being edited: what the service holds for it (session order). */
interface EditTarget {
  sessionId: string;
  layerId: string;
  stream: StreamId;
  id: string;
  sent: Uint8Array<ArrayBuffer>;
}
let target: EditTarget | null = null;
/** Strokes are sent one after another, in order. */
let sending: Promise<void> = Promise.resolve();

function segmentsFor(layerId: string, stream: StreamId): SegmentSpec[] {
  const manifestations = stream === 'all' ? MANIFESTATION_IDS : [stream];
  return manifestations.map((manifestation) => ({
    index: stream === 'all' ? ALL_STREAM_LABEL[manifestation] : 1,
    label: MANIFESTATION_NAMES[manifestation],
    color: layerId === 'ai' ? MANIFESTATION_COLORS[manifestation] : readerColor(layerId),
  }));
}

interface Geometry {
  sliceSize: number;
  sessionToSeries: number[];
  seriesSlices: number;
}

/** Whether the session's series is the CT volume on screen, and how its slices map. */
function geometry(session: SessionView): Geometry | null {
  const series = viewer.activeSeries;
  if (!series || !viewer.volumeId || viewer.layout !== 'mpr' || series.seriesId !== session.study.seriesId || !session.study.instanceIds) return null;
  return {
    sliceSize: session.study.rows * session.study.columns,
    sessionToSeries: sessionToSeriesSlices(session.study.instanceIds, series.instances.map((instance) => instance.id)),
    seriesSlices: series.instances.length,
  };
}

async function fetchLabels(sessionId: string, layerId: string, stream: StreamId): Promise<Uint8Array | null> {
  return (await api.invoke('sessions:get-mask', { sessionId, layerId, stream })).labels;
}

function layersToShow(session: SessionView, stream: StreamId): string[] {
  const ids: string[] = [];
  if (session.ai?.streams.includes(stream)) ids.push('ai');
  for (const reader of session.readers) {
    const editing = target?.sessionId === session.sessionId && target.layerId === reader.layerId && target.stream === stream;
    if (reader.editedStreams.includes(stream) || editing) ids.push(reader.layerId);
  }
  return ids;
}

/** What the layers on screen depend on; a change means `syncMaskLayers` should run. */
export function maskLayersKey(): string {
  const session = review.session;
  if (!session) return '';
  const readers = session.readers.map((reader) => `${reader.layerId}:${reader.editedStreams.join(',')}`).join(';');
  return [session.sessionId, maskEditor.stream, viewer.volumeId, viewer.displayed, session.study.seriesId, readers].join('|');
}

let syncGeneration = 0;

/** Show the open session's layers for the chosen stream over the CT (and drop any others). */
export async function syncMaskLayers(): Promise<void> {
  const generation = ++syncGeneration;
  const session = review.session;
  const stream = maskEditor.stream;
  const geo = session && viewer.displayed ? geometry(session) : null;
  const wanted = session && geo ? layersToShow(session, stream) : [];
  const wantedIds = wanted.map((layerId) => cornerstoneLayerId(layerId, stream));
  for (const { id } of maskEditor.shown) if (!wantedIds.includes(id)) removeLayer(id);
  maskEditor.shown = maskEditor.shown.filter(({ id }) => wantedIds.includes(id) && hasLayer(id));
  if (!session || !geo) return;
  maskEditor.error = null;
  try {
    for (const layerId of wanted) {
      const id = cornerstoneLayerId(layerId, stream);
      const editing = target?.id === id && target.sessionId === session.sessionId;
      // Already on screen: only the reader's own strokes change it, and they are drawn already.
      if (hasLayer(id) && maskEditor.shown.some((layer) => layer.id === id)) continue;
      const labels = editing && target ? target.sent : await fetchLabels(session.sessionId, layerId, stream);
      if (generation !== syncGeneration) return;
      if (!labels) continue;
      await showLabelmapLayer({ id, labels: toSeriesOrder(labels, geo.sliceSize, geo.sessionToSeries, geo.seriesSlices), segments: segmentsFor(layerId, stream) });
      if (generation !== syncGeneration) return;
      maskEditor.shown = [...maskEditor.shown, { id, layerId }];
    }
    applyVisibility();
  } catch (error) {
    maskEditor.error = `Masks could not be shown: ${messageOf(error)}`;
  }
}

/** Hide or show each layer as the reader toggled it in the panel. */
export function applyVisibility(): void {
  for (const { id, layerId } of maskEditor.shown) {
    const visible = isLayerVisible(layerId);
    if (hasLayer(id) && isCornerstoneLayerVisible(id) !== visible) setLayerVisible(id, visible);
  }
}

/** Drop every review layer (session closed) and stop editing. */
export function clearMaskLayers(): void {
  stopEditing();
  for (const { id } of maskEditor.shown) removeLayer(id);
  maskEditor.shown = [];
  target = null;
  maskEditor.pixelCount = null;
}

/** Start the brush or eraser on the current reader's layer of the chosen stream. */
export async function startEditing(tool: BrushTool): Promise<void> {
  const session = review.session;
  const layerId = review.readerLayerId;
  const geo = session ? geometry(session) : null;
  if (!session || !layerId || !review.canEdit || !geo) {
    maskEditor.error = 'Open the session’s CT series and choose an unsigned reader to edit masks.';
    return;
  }
  const stream = maskEditor.stream;
  const id = cornerstoneLayerId(layerId, stream);
  maskEditor.error = null;
  try {
    if (!target || target.id !== id || target.sessionId !== session.sessionId) {
      await sending;
      const reader = session.readers.find((candidate) => candidate.layerId === layerId);
      // A reader's first edit of a stream starts from the AI's mask.
      const own = reader?.editedStreams.includes(stream) ? await fetchLabels(session.sessionId, layerId, stream) : null;
      const start = own ?? (session.ai?.streams.includes(stream) ? await fetchLabels(session.sessionId, 'ai', stream) : null);
      const labels = start ? new Uint8Array(start) : new Uint8Array(geo.sliceSize * session.study.slices);
      target = { sessionId: session.sessionId, layerId, stream, id, sent: labels };
      maskEditor.pixelCount = countLabelled(labels);
      await showLabelmapLayer({ id, labels: toSeriesOrder(labels, geo.sliceSize, geo.sessionToSeries, geo.seriesSlices), segments: segmentsFor(layerId, stream) });
      if (!maskEditor.shown.some((layer) => layer.id === id)) maskEditor.shown = [...maskEditor.shown, { id, layerId }];
      // Editing a hidden layer would be editing blind: show it.
      if (!isLayerVisible(layerId)) {
        const hidden = { ...review.hiddenLayers };
        delete hidden[layerId];
        review.hiddenLayers = hidden;
      }
      applyVisibility();
    }
    const segmentIndex = stream === 'all' ? ALL_STREAM_LABEL[maskEditor.manifestation] : 1;
    setEditing({ layerId: id, segmentIndex, tool, radiusMm: maskEditor.radiusMm });
    maskEditor.tool = tool;
  } catch (error) {
    maskEditor.error = `Editing could not start: ${messageOf(error)}`;
  }
}

export function stopEditing(): void {
  if (maskEditor.tool === null) return;
  maskEditor.tool = null;
  try {
    setEditing({ layerId: target?.id ?? '', segmentIndex: 1, tool: null });
  } catch {
    // No CT tool group (the series went away): nothing is editing any more.
  }
}

/** The edit a finished stroke made, against what the service already holds; null when none. */
function pendingEdit(): { edit: MaskEdit; labels: Uint8Array<ArrayBuffer> } | null {
  const session = review.session;
  if (!target || !session || session.sessionId !== target.sessionId || !hasLayer(target.id)) return null;
  const geo = geometry(session);
  if (!geo) return null;
  const labels = toSessionOrder(readLayerLabels(target.id), geo.sliceSize, geo.sessionToSeries, target.sent);
  const range = changedSliceRange(target.sent, labels, geo.sliceSize);
  if (!range) return null;
  const edit: MaskEdit =
    range.first === 0 && range.last === session.study.slices - 1
      ? { layerId: target.layerId, stream: target.stream, labels }
      : { layerId: target.layerId, stream: target.stream, labels: labels.slice(range.first * geo.sliceSize, (range.last + 1) * geo.sliceSize), startSlice: range.first };
  return { edit, labels };
}

function sendStroke(): Promise<void> {
  sending = sending.then(async () => {
    const pending = pendingEdit();
    const current = target;
    if (!pending || !current) return;
    try {
      const result = await api.invoke('sessions:save-mask', { sessionId: current.sessionId, ...pending.edit });
      current.sent = pending.labels;
      maskEditor.pixelCount = result.pixelCount;
      maskEditor.strokesSaved++;
      if (review.session?.sessionId === current.sessionId) review.session.dirty = result.dirty;
    } catch (error) {
      maskEditor.error = `The edit was not stored: ${messageOf(error)}`;
    }
  });
  return sending;
}

/** Mask edits not yet with the service, for save, sign, close and autosave. */
async function unsentEdits(): Promise<MaskEdit[]> {
  await sending;
  const pending = pendingEdit();
  if (!pending) return [];
  if (target) target.sent = pending.labels;
  return [pending.edit];
}

let installed = false;

/** Wire strokes to the service and the session's save paths to unsent edits (once). */
export function installMaskEditing(): () => void {
  setMaskEditSource(unsentEdits);
  if (installed) return () => undefined;
  installed = true;
  const stop = onLayerEdited((id) => {
    if (target?.id === id) void sendStroke();
  });
  return () => {
    stop();
    installed = false;
  };
}

export function streamsOf(session: SessionView): StreamId[] {
  const available: StreamId[] = [...(session.ai?.streams ?? []), ...session.readers.flatMap((reader) => reader.editedStreams)];
  // Without any mask yet, every stream can still be drawn from scratch.
  return available.length === 0 ? [...STREAM_IDS] : STREAM_IDS.filter((stream) => available.includes(stream));
}
