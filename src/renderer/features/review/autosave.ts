/**
 * Autosave: every AUTOSAVE_INTERVAL_MS while the open session has unsaved changes, its
 * edits (and mask edits still held in the panel) go to autosave.json, which survives a
 * crash and is offered for recovery on the next start.
 */
import { autosaveSession } from './session';
import { review } from './state.svelte';

export const AUTOSAVE_INTERVAL_MS = 30_000;

export function startAutosave(intervalMs = AUTOSAVE_INTERVAL_MS): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running || !review.session?.dirty || review.busy) return;
    running = true;
    void autosaveSession().finally(() => (running = false));
  }, intervalMs);
  return () => clearInterval(timer);
}
