/**
 * Segmentation layers over the CT on screen (AI masks, reader edits). The only feature
 * that calls @cornerstonejs/tools segmentation; see layers.ts for the model.
 */
export {
  showLabelmapLayer,
  setLayerVisible,
  isLayerVisible,
  setSegmentColor,
  setLayerOpacity,
  setRenderStyle,
  removeLayer,
  removeAllLayers,
  readLayerLabels,
  hasLayer,
  layerIds,
  type Rgb,
  type SegmentSpec,
  type LabelmapLayerSpec,
  type RenderStyle,
} from './layers';
export { setEditing, onLayerEdited, editingToolName, type EditingSpec } from './editing';
export { volumeSliceToInstance, writeInstanceSlices, readInstanceSlices } from './sliceOrder';
