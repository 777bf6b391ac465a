export { default as Shell } from './Shell.svelte';
export { SHORTCUTS, installShortcuts, type Shortcut } from './shortcuts';
