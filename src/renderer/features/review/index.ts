/** Second-opinion review sessions (issue 5): the side panel and its actions. */
export { default as ReviewPanel } from './ReviewPanel.svelte';
export { review } from './state.svelte';
