export { default as ViewportGrid } from './ViewportGrid.svelte';
export { RENDERING_ENGINE_ID, VIEWPORT_IDS, MPR_VIEWPORT_IDS, ensureCornerstone, getRenderingEngine, type ViewportId } from './cornerstone';
export { applyPreset, applyWindow, currentViewportIds, displaySeries, resetView, scrollActive, seriesDefaultWindow, showSlice } from './display';
export { nearestInstanceIndex, sliceNormal } from './sliceGeometry';
export { imageIdFor } from './imageIds';
