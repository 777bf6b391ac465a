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
let fallbackTimer: ReturnType<typeof setTimeout> | undefined;

function flushEdits(): void {
  clearTimeout(fallbackTimer);
  const ids = [...pendingEdits];
  pendingEdits.clear();
  for (const id of ids) for (const listener of editListeners) listener(id);
}

function listenForEdits(): void {
  if (listening) return;
  listening = true;
  eventTarget.addEventListener(toolEnums.Events.SEGMENTATION_DATA_MODIFIED, (event: Event) => {
    const { segmentationId } = (event as CustomEvent<{ segmentationId: string }>).detail;
    if (isSelfModifying() || !hasLayer(segmentationId)) return;
    pendingEdits.add(segmentationId);
    // A stroke ends on pointer release; the timer covers edits made without a pointer.
    clearTimeout(fallbackTimer);
    fallbackTimer = setTimeout(flushEdits, 400);
  });
  // The brush writes its last sample in its own mouse-up handler: report after it.
  window.addEventListener('pointerup', () => setTimeout(() => pendingEdits.size > 0 && flushEdits(), 0), true);
}

/** Be told (with the layer id) after a brush or eraser stroke changed a layer. */
export function onLayerEdited(listener: EditListener): () => void {
  listenForEdits();
  editListeners.add(listener);
  return () => editListeners.delete(listener);
}
