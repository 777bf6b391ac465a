/** AI second opinion in the viewer: run the pipeline, show recognition, manifestations and stream masks. */
export { default as AnalysisPanel } from './AnalysisPanel.svelte';
export { analysis, analyzeActiveSeries, cancelAnalysis, toggleStream, flipCompareSide, layerIdOf, STREAM_LABELS } from './state.svelte';
export { ANALYSIS_SHORTCUTS } from './shortcuts';
export { perSliceManifestations, alignMasksToSeries, diceByClass, streamExtents } from './summary';
