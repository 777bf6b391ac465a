/**
 * Mouse tools on the viewports, through Cornerstone's tool groups. Bindings, like most
 * radiology viewers: left = the chosen tool (window/level by default), middle = pan,
 * right = zoom, wheel = slice scroll. Measurements (length, elliptical ROI with HU
 * statistics) are mirrored into `viewer.measurements` for the side list.
 */
import { Enums as csEnums, eventTarget, getRenderingEngine } from '@cornerstonejs/core';
import {
  CrosshairsTool,
  EllipticalROITool,
  Enums as toolEnums,
  LengthTool,
  PanTool,
  ReferenceLinesTool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  addTool,
  annotation,
  type Types as ToolTypes,
} from '@cornerstonejs/tools';
import { viewer, type Measurement, type ToolName } from '../../state/viewer.svelte';
import { RENDERING_ENGINE_ID, VIEWPORT_IDS, type ViewportId } from '../viewport/cornerstone';

const { MouseBindings } = toolEnums;
export const TOOL_GROUP_IDS = { mpr: 'pleura-mpr-tools', stack: 'pleura-stack-tools' } as const;

const TOOL_CLASS_NAMES: Record<ToolName, string> = {
  WindowLevel: WindowLevelTool.toolName,
  Pan: PanTool.toolName,
  Zoom: ZoomTool.toolName,
  Length: LengthTool.toolName,
  EllipticalROI: EllipticalROITool.toolName,
  Crosshairs: CrosshairsTool.toolName,
};

let registered = false;
let listening = false;

function registerTools(): void {
  if (registered) return;
  registered = true;
  for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool, LengthTool, EllipticalROITool, CrosshairsTool, ReferenceLinesTool]) addTool(tool);
}

function buildGroup(id: string, withVolumeTools: boolean): ToolTypes.IToolGroup {
  const existing = ToolGroupManager.getToolGroup(id);
  if (existing) return existing;
  const group = ToolGroupManager.createToolGroup(id);
  if (!group) throw new Error(`Could not create tool group ${id}`);
  for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool, LengthTool, EllipticalROITool]) group.addTool(tool.toolName);
  if (withVolumeTools) {
    group.addTool(CrosshairsTool.toolName, {
      // Crosshairs move the other two planes; colours tell the planes apart.
      getReferenceLineColor: (viewportId: string) =>
        viewportId === VIEWPORT_IDS.axial ? 'rgb(230, 80, 80)' : viewportId === VIEWPORT_IDS.coronal ? 'rgb(80, 200, 90)' : 'rgb(240, 200, 60)',
    });
    group.addTool(ReferenceLinesTool.toolName, { sourceViewportId: VIEWPORT_IDS.axial });
  }
  group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
  group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
  group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
  group.setToolPassive(LengthTool.toolName);
  group.setToolPassive(EllipticalROITool.toolName);
  return group;
}

/** Put the viewports of a layout under their tool group, with the current left-button tool. */
export function attachTools(layout: 'mpr' | 'stack', viewportIds: readonly ViewportId[]): void {
  registerTools();
  listenToMeasurements();
  const mpr = buildGroup(TOOL_GROUP_IDS.mpr, true);
  const stack = buildGroup(TOOL_GROUP_IDS.stack, false);
  for (const group of [mpr, stack]) {
    for (const viewportId of group.getViewportIds()) group.removeViewports(RENDERING_ENGINE_ID, viewportId);
  }
  const group = layout === 'mpr' ? mpr : stack;
  for (const viewportId of viewportIds) group.addViewport(viewportId, RENDERING_ENGINE_ID);
  if (layout === 'mpr') {
    group.setToolEnabled(ReferenceLinesTool.toolName);
  }
  setActiveTool(layout === 'stack' && viewer.activeTool === 'Crosshairs' ? 'WindowLevel' : viewer.activeTool);
}

/** Choose the left-button tool in both groups. Crosshairs exist only on CT volumes. */
export function setActiveTool(tool: ToolName): void {
  const effective: ToolName = tool === 'Crosshairs' && viewer.layout !== 'mpr' ? 'WindowLevel' : tool;
  for (const id of Object.values(TOOL_GROUP_IDS)) {
    const group = ToolGroupManager.getToolGroup(id);
    if (!group) continue;
    const supportsCrosshairs = id === TOOL_GROUP_IDS.mpr;
    for (const name of Object.keys(TOOL_CLASS_NAMES) as ToolName[]) {
      if (name === 'Crosshairs' && !supportsCrosshairs) continue;
      const className = TOOL_CLASS_NAMES[name];
      if (name === effective) continue;
      // Measurement tools stay passive (their handles remain editable); others go quiet.
      if (name === 'Length' || name === 'EllipticalROI') group.setToolPassive(className);
      else if (name === 'Pan') group.setToolActive(className, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
      else if (name === 'Zoom') group.setToolActive(className, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
      else group.setToolDisabled(className);
    }
    if (effective === 'Crosshairs' && !supportsCrosshairs) continue;
    // Reference lines and crosshairs draw the same thing; show one at a time.
    if (supportsCrosshairs) {
      if (effective === 'Crosshairs') group.setToolDisabled(ReferenceLinesTool.toolName);
      else if (group.getViewportIds().length > 0) group.setToolEnabled(ReferenceLinesTool.toolName);
    }
    const primary = [{ mouseButton: MouseBindings.Primary }];
    const extra = effective === 'Pan' ? [{ mouseButton: MouseBindings.Auxiliary }] : effective === 'Zoom' ? [{ mouseButton: MouseBindings.Secondary }] : [];
    group.setToolActive(TOOL_CLASS_NAMES[effective], { bindings: [...primary, ...extra] });
  }
  viewer.activeTool = effective;
  getRenderingEngine(RENDERING_ENGINE_ID)?.render();
}

function describe(annotationEntry: ToolTypes.Annotation): Measurement | null {
  const toolName = annotationEntry.metadata?.toolName;
  if (toolName !== LengthTool.toolName && toolName !== EllipticalROITool.toolName) return null;
  const stats = (annotationEntry.data as { cachedStats?: Record<string, Record<string, unknown>> }).cachedStats ?? {};
  const first = Object.values(stats)[0] ?? {};
  const number = (key: string) => (typeof first[key] === 'number' ? (first[key] as number) : null);
  const unit = (key: string, fallback: string) => (typeof first[key] === 'string' ? (first[key] as string) : fallback);
  const lines: string[] = [];
  if (toolName === LengthTool.toolName) {
    const length = number('length');
    if (length !== null) lines.push(`Length ${length.toFixed(1)} ${unit('unit', 'mm')}`);
  } else {
    const mean = number('mean');
    const sd = number('stdDev');
    const area = number('area');
    const modalityUnit = unit('modalityUnit', '');
    if (mean !== null) lines.push(`Mean ${mean.toFixed(1)} ${modalityUnit}`.trim());
    if (sd !== null) lines.push(`SD ${sd.toFixed(1)} ${modalityUnit}`.trim());
    if (area !== null) lines.push(`Area ${area.toFixed(1)} ${unit('areaUnit', 'mm²')}`);
  }
  const viewportId = (annotationEntry.metadata as { viewportId?: string } | undefined)?.viewportId ?? '';
  return {
    annotationUid: annotationEntry.annotationUID ?? '',
    tool: toolName === LengthTool.toolName ? 'Length' : 'EllipticalROI',
    viewportId,
    lines,
  };
}

function refreshMeasurements(): void {
  const all = annotation.state.getAllAnnotations();
  viewer.measurements = all.map(describe).filter((m): m is Measurement => m !== null && m.lines.length > 0);
}

function listenToMeasurements(): void {
  if (listening) return;
  listening = true;
  const { Events } = toolEnums;
  for (const name of [Events.ANNOTATION_COMPLETED, Events.ANNOTATION_MODIFIED, Events.ANNOTATION_REMOVED]) {
    eventTarget.addEventListener(name, refreshMeasurements);
  }
  // Stats are computed on render; pick them up after the next frame too.
  eventTarget.addEventListener(csEnums.Events.IMAGE_VOLUME_LOADING_COMPLETED, refreshMeasurements);
}

export function removeMeasurement(annotationUid: string): void {
  annotation.state.removeAnnotation(annotationUid);
  refreshMeasurements();
  getRenderingEngine(RENDERING_ENGINE_ID)?.render();
}

export function clearMeasurements(): void {
  annotation.state.removeAllAnnotations();
  refreshMeasurements();
  getRenderingEngine(RENDERING_ENGINE_ID)?.render();
}
