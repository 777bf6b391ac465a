/**
 * Layers belong to the CT volume they were drawn on. When the viewer starts showing
 * another series (viewer.displayGeneration moves), the old labelmaps must go before the
 * viewports get the new volume, or Cornerstone would draw them on the wrong grid.
 */
import { untrack } from 'svelte';
import { viewer } from '../../state/viewer.svelte';

let stop: (() => void) | null = null;

/** Call `onNewDisplay` each time the viewer starts displaying another series (installed once). */
export function followDisplayedVolume(onNewDisplay: () => void): void {
  if (stop) return;
  let seen = viewer.displayGeneration;
  stop = $effect.root(() => {
    $effect(() => {
      const generation = viewer.displayGeneration;
      if (generation === seen) return;
      seen = generation;
      untrack(onNewDisplay);
    });
  });
}
