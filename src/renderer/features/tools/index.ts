export { default as Toolbar } from './Toolbar.svelte';
export { default as Measurements } from './Measurements.svelte';
export { WINDOW_PRESETS, type WindowPreset } from './presets';
export { TOOL_GROUP_IDS, attachTools, clearMeasurements, setActiveTool } from './toolGroups';
