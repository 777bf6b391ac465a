/**
 * Keyboard shortcuts of the AI panel, joined into the shell's one shortcut table (which
 * also drives the help overlay). Digits are matched by physical key (event.code), since
 * Shift changes event.key ('!' for Shift+1 on a US layout).
 */
import type { Shortcut } from '../shell/shortcuts';
import type { StreamName } from '../../../common/analysis/constants';
import { analyzeActiveSeries, flipCompareSide, toggleStream } from './state.svelte';

const noModifiers = (e: KeyboardEvent) => !e.ctrlKey && !e.metaKey && !e.altKey;
const STREAM_KEYS: [StreamName, string, string][] = [
  ['ggo', 'Digit1', 'ground-glass opacity'],
  ['consolidation', 'Digit2', 'consolidation'],
  ['effusion', 'Digit3', 'pleural effusion'],
  ['all', 'Digit4', 'all-class model'],
];

export const ANALYSIS_SHORTCUTS: readonly Shortcut[] = [
  {
    keys: 'A',
    description: 'Analyze the series on screen (AI second opinion)',
    matches: (e) => noModifiers(e) && !e.shiftKey && e.key.toLowerCase() === 'a',
    run: () => void analyzeActiveSeries(),
  },
  ...STREAM_KEYS.map<Shortcut>(([stream, code, name], i) => ({
    keys: `Shift+${i + 1}`,
    description: `Show / hide the ${name} mask`,
    matches: (e) => noModifiers(e) && e.shiftKey && e.code === code,
    run: () => toggleStream(stream),
  })),
  {
    keys: 'B',
    description: 'Compare: flip between specialized streams and the all-class model',
    matches: (e) => noModifiers(e) && !e.shiftKey && e.key.toLowerCase() === 'b',
    run: () => flipCompareSide(),
  },
];
