/**
 * Keyboard shortcuts of the review panel, joined into the shell's one shortcut table
 * (which also drives the help overlay).
 */
import type { Shortcut } from '../shell/shortcuts';
import { maskEditor, startEditing, stopEditing, type BrushTool } from './masks/maskLayers.svelte';
import { saveSession } from './session';
import { review } from './state.svelte';

const noModifiers = (e: KeyboardEvent) => !e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey;

function toggleTool(tool: BrushTool): void {
  if (!review.canEdit) return;
  if (maskEditor.tool === tool) stopEditing();
  else void startEditing(tool);
}

export const REVIEW_SHORTCUTS: readonly Shortcut[] = [
  {
    keys: 'Ctrl+S / ⌘S',
    description: 'Save the review session',
    matches: (e) => (e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's',
    run: () => {
      if (review.session?.dirty && review.busy === null) void saveSession();
    },
  },
  {
    keys: 'D',
    description: 'Review: brush on your mask layer (again: stop)',
    matches: (e) => noModifiers(e) && e.key.toLowerCase() === 'd',
    run: () => toggleTool('brush'),
  },
  {
    keys: 'E',
    description: 'Review: eraser on your mask layer (again: stop)',
    matches: (e) => noModifiers(e) && e.key.toLowerCase() === 'e',
    run: () => toggleTool('eraser'),
  },
];
