/**
 * Brush and eraser on labelmap layers: Cornerstone's BrushTool (CircularBrush /
 * CircularEraser strategies) on the MPR tool group, bound to the left mouse button while
 * editing; the viewer's own left-button tool comes back when editing stops.
 */
import { eventTarget } from '@cornerstonejs/core';
import { BrushTool, Enums as toolEnums, ToolGroupManager, addTool, segmentation, utilities as toolUtilities } from '@cornerstonejs/tools';
import { viewer } from '../../state/viewer.svelte';
import { TOOL_GROUP_IDS, setActiveTool } from '../tools/toolGroups';
import { hasLayer, isSelfModifying } from './layers';

export interface EditingSpec {
  layerId: string;
  segmentIndex: number;
  /** null: stop editing. */
  tool: 'brush' | 'eraser' | null;
  /** Brush radius in mm (Cornerstone's brush size); kept when omitted. */
  radiusMm?: number;
}

const BRUSH = 'PleuraCircularBrush';
const ERASER = 'PleuraCircularEraser';
const { MouseBindings } = toolEnums;

let toolsAdded = false;
let editingTool: typeof BRUSH | typeof ERASER | null = null;

function mprGroup() {
  const group = ToolGroupManager.getToolGroup(TOOL_GROUP_IDS.mpr);
  if (!group) throw new Error('The CT tool group is not set up yet: open a CT series first.');
  if (!toolsAdded) {
    // addTool is global and throws on a second registration of the same class.
    try {
      addTool(BrushTool);
    } catch {
      // already registered
    }
    toolsAdded = true;
  }
  if (!group.hasTool(BRUSH)) group.addToolInstance(BRUSH, BrushTool.toolName, { activeStrategy: 'FILL_INSIDE_CIRCLE' });
  if (!group.hasTool(ERASER)) group.addToolInstance(ERASER, BrushTool.toolName, { activeStrategy: 'ERASE_INSIDE_CIRCLE' });
  return group;
}

export function setEditing(spec: EditingSpec): void {
  const group = mprGroup();
  if (spec.tool === null) {
    group.setToolDisabled(BRUSH);
    group.setToolDisabled(ERASER);
    editingTool = null;
    // Back to the reader's chosen tool (window/level, measurements, ...).
    setActiveTool(viewer.activeTool);
    return;
  }
  if (!hasLayer(spec.layerId)) throw new Error(`No layer ${spec.layerId} to edit`);
  for (const viewportId of group.getViewportIds()) segmentation.activeSegmentation.setActiveSegmentation(viewportId, spec.layerId);
  segmentation.segmentIndex.setActiveSegmentIndex(spec.layerId, spec.segmentIndex);
  const wanted = spec.tool === 'brush' ? BRUSH : ERASER;
  const other = wanted === BRUSH ? ERASER : BRUSH;
  const primary = group.getActivePrimaryMouseButtonTool();
  if (primary && primary !== wanted) group.setToolPassive(primary);
  group.setToolDisabled(other);
  group.setToolActive(wanted, { bindings: [{ mouseButton: MouseBindings.Primary }] });
  if (spec.radiusMm !== undefined) toolUtilities.segmentation.setBrushSizeForToolGroup(TOOL_GROUP_IDS.mpr, spec.radiusMm);
  editingTool = wanted;
}

export function editingToolName(): 'brush' | 'eraser' | null {
  return editingTool === BRUSH ? 'brush' : editingTool === ERASER ? 'eraser' : null;
}

type EditListener = (id: string) => void;
const editListeners = new Set<EditListener>();
const pendingEdits = new Set<string>();
let listening = false;
let pointerDown = false;
/** True from a pointer press while a brush/eraser is active until that stroke is reported. */
let inStroke = false;
let flushTimer: ReturnType<typeof setTimeout> | undefined;
/**
 * A stroke raises many data-modified events (one per brush sample, and more from the tool's
 * own mouse-up handling). Report once per stroke: after the pointer is released and the
 * events have been quiet for this long. Longer than Cornerstone's double-click tolerance
 * (400 ms): a single click only paints once Cornerstone has ruled out a double click.
 */
const QUIET_MS = 550;

function flushEdits(): void {
  inStroke = false;
  const ids = [...pendingEdits];
  pendingEdits.clear();
  for (const id of ids) for (const listener of editListeners) listener(id);
}

function scheduleFlush(): void {
  clearTimeout(flushTimer);
  // Also without pending edits: the brush may write its last sample after pointerup,
  // and the timer ends the stroke either way.
  if (pointerDown || !inStroke) return;
  flushTimer = setTimeout(flushEdits, QUIET_MS);
}

function listenForEdits(): void {
  if (listening) return;
  listening = true;
  eventTarget.addEventListener(toolEnums.Events.SEGMENTATION_DATA_MODIFIED, (event: Event) => {
    const { segmentationId } = (event as CustomEvent<{ segmentationId: string }>).detail;
    // Only brush strokes count: Cornerstone also raises this event when layers are added
    // or made active, which is not an edit by the reader.
    if (!inStroke || isSelfModifying() || !hasLayer(segmentationId)) return;
    pendingEdits.add(segmentationId);
    scheduleFlush();
  });
  window.addEventListener(
    'pointerdown',
    () => {
      pointerDown = true;
      if (editingTool !== null) inStroke = true;
    },
    true,
  );
  window.addEventListener(
    'pointerup',
    () => {
      pointerDown = false;
      scheduleFlush();
    },
    true,
  );
}

/** Be told (with the layer id) after a brush or eraser stroke changed a layer. */
export function onLayerEdited(listener: EditListener): () => void {
  listenForEdits();
  editListeners.add(listener);
  return () => editListeners.delete(listener);
}
