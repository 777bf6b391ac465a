/** Window/level presets (Hounsfield units), keys 1-4 in that order. */
export interface WindowPreset {
  id: 'lung' | 'mediastinum' | 'bone' | 'default';
  label: string;
  key: string;
  /** null for the series' own window (from its DICOM header). */
  center: number | null;
  width: number | null;
}

export const WINDOW_PRESETS: readonly WindowPreset[] = [
  { id: 'lung', label: 'Lung', key: '1', center: -600, width: 1500 },
  { id: 'mediastinum', label: 'Mediastinum', key: '2', center: 50, width: 350 },
  { id: 'bone', label: 'Bone', key: '3', center: 400, width: 1800 },
  { id: 'default', label: 'Series default', key: '4', center: null, width: null },
];

/** Window used for "Series default" when the file carries none: mediastinum for CT, full range otherwise (null). */
export function fallbackWindow(modality: string): { center: number; width: number } | null {
  return modality === 'CT' ? { center: 40, width: 400 } : null;
}
