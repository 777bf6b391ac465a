/**
 * Mask colours. Defaults follow the paper's figures: GGO yellow, consolidation red, pleural
 * effusion green. The all-class model uses the same colour per label, so a finding has one
 * colour whichever model drew it.
 */
import type { ManifestationName } from '../../../common/analysis/constants';
import type { Rgb } from '../segmentation';

export const DEFAULT_COLORS: Record<ManifestationName, Rgb> = {
  ggo: [255, 221, 0],
  consolidation: [235, 40, 40],
  effusion: [40, 200, 70],
};

export function rgbToHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((value) => Math.max(0, Math.min(255, Math.round(value))).toString(16).padStart(2, '0')).join('')}`;
}

/** '#rrggbb' (what <input type="color"> gives) to RGB; null for anything else. */
export function hexToRgb(hex: string): Rgb | null {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!match) return null;
  return [parseInt(match[1] ?? '0', 16), parseInt(match[2] ?? '0', 16), parseInt(match[3] ?? '0', 16)];
}
