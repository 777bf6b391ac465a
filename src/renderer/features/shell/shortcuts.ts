/**
 * Keyboard shortcuts of the viewer. One table drives both the key handler and the help
 * overlay, so the overlay can never list a shortcut that does not work (or miss one).
 */
import { viewer } from '../../state/viewer.svelte';
import { openFolderDialog } from '../studyBrowser/dataSource';
import { WINDOW_PRESETS } from '../tools/presets';
import { applyPreset, resetView, scrollActive, showSlice } from '../viewport/display';
import { ANALYSIS_SHORTCUTS } from '../analysis/shortcuts';
import { REVIEW_SHORTCUTS } from '../review/shortcuts';

export interface Shortcut {
  keys: string;
  description: string;
  matches(event: KeyboardEvent): boolean;
  run(event: KeyboardEvent): void;
}

const plain = (event: KeyboardEvent) => !event.ctrlKey && !event.metaKey && !event.altKey;

export const SHORTCUTS: readonly Shortcut[] = [
  {
    keys: 'Ctrl+O / ⌘O',
    description: 'Open a DICOM folder',
    matches: (e) => (e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'o',
    run: () => void openFolderDialog(),
  },
  ...WINDOW_PRESETS.map<Shortcut>((preset) => ({
    keys: preset.key,
    description: `Window: ${preset.label}${preset.center !== null ? ` (W ${preset.width} L ${preset.center})` : ''}`,
    matches: (e) => plain(e) && e.key === preset.key,
    run: () => applyPreset(preset),
  })),
  {
    keys: '↑ / ↓',
    description: 'Previous / next slice',
    matches: (e) => plain(e) && (e.key === 'ArrowUp' || e.key === 'ArrowDown'),
    run: (e) => scrollActive(e.key === 'ArrowUp' ? -1 : 1),
  },
  {
    keys: 'PageUp / PageDown',
    description: 'Back / forward 10 slices',
    matches: (e) => plain(e) && (e.key === 'PageUp' || e.key === 'PageDown'),
    run: (e) => scrollActive(e.key === 'PageUp' ? -10 : 10),
  },
  {
    keys: 'Home / End',
    description: 'First / last slice of the series',
    matches: (e) => plain(e) && (e.key === 'Home' || e.key === 'End'),
    run: (e) => showSlice(e.key === 'Home' ? 0 : viewer.sliceCount - 1),
  },
  { keys: 'Mouse wheel', description: 'Scroll slices', matches: () => false, run: () => undefined },
  { keys: 'Left drag', description: 'Active tool (window/level by default)', matches: () => false, run: () => undefined },
  { keys: 'Middle / right drag', description: 'Pan / zoom', matches: () => false, run: () => undefined },
  {
    keys: 'R',
    description: 'Reset view (camera and window)',
    matches: (e) => plain(e) && e.key.toLowerCase() === 'r',
    run: () => resetView(),
  },
  ...ANALYSIS_SHORTCUTS,
  ...REVIEW_SHORTCUTS,
  {
    keys: '? / F1',
    description: 'Show or hide this help',
    matches: (e) => e.key === 'F1' || (e.key === '?' && !e.ctrlKey && !e.metaKey),
    run: () => (viewer.showHelp = !viewer.showHelp),
  },
  {
    keys: 'Esc',
    description: 'Close this help',
    matches: (e) => e.key === 'Escape',
    run: () => (viewer.showHelp = false),
  },
];

/** Inputs that take no typing: shortcuts must keep working after a click on one (e.g. a mask checkbox). */
const NON_TEXT_INPUTS = ['checkbox', 'radio', 'button', 'color'];

function isTyping(target: EventTarget | null): boolean {
  if (target instanceof HTMLInputElement && NON_TEXT_INPUTS.includes(target.type)) return false;
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** Install the shortcut handler on the window; returns the uninstaller. */
export function installShortcuts(): () => void {
  const onKeyDown = (event: KeyboardEvent) => {
    // Not `defaultPrevented`: Cornerstone's tools call preventDefault on every key that
    // reaches a focused viewport, which is exactly where shortcuts must work.
    // While typing (findings, names), plain keys belong to the text; Ctrl/⌘ chords
    // such as Ctrl+S still act.
    if (isTyping(event.target) && !(event.ctrlKey || event.metaKey)) return;
    const shortcut = SHORTCUTS.find((candidate) => candidate.matches(event));
    if (!shortcut) return;
    event.preventDefault();
    shortcut.run(event);
  };
  window.addEventListener('keydown', onKeyDown);
  return () => window.removeEventListener('keydown', onKeyDown);
}
