/**
 * Coded concepts for the segments Pleura writes. Category "Morphologically Abnormal
 * Structure" (CID 7150); types from CID 6104 (ground-glass opacity, DCM) and SNOMED CT
 * (lung consolidation, pleural effusion), so other viewers label the segments correctly.
 */
export interface CodedConcept {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

export const MORPHOLOGICALLY_ABNORMAL_STRUCTURE: CodedConcept = {
  CodeValue: '49755003',
  CodingSchemeDesignator: 'SCT',
  CodeMeaning: 'Morphologically Abnormal Structure',
};

export const FINDING_CODES = {
  ggo: { CodeValue: '112120', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Ground glass opacity' },
  consolidation: { CodeValue: '95436008', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Lung consolidation' },
  effusion: { CodeValue: '60046008', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Pleural effusion' },
} as const satisfies Record<string, CodedConcept>;

/** CIELab display colours (DICOM scaled 0..65535) matching the viewer's overlay colours. */
export const FINDING_COLOURS_RGB = {
  ggo: [255, 200, 0],
  consolidation: [230, 60, 60],
  effusion: [40, 140, 255],
} as const satisfies Record<string, readonly [number, number, number]>;

/** sRGB (0..255) to DICOM scaled CIELab (PS3.3 C.10.7.1.1), D65 white point. */
export function rgbToDicomLab(rgb: readonly [number, number, number]): [number, number, number] {
  const linear = rgb.map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const [r, g, b] = linear;
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  const l = 116 * f(y) - 16;
  const a = 500 * (f(x) - f(y));
  const bb = 200 * (f(y) - f(z));
  const clamp = (v: number) => Math.max(0, Math.min(65535, Math.round(v)));
  return [clamp((l * 65535) / 100), clamp(((a + 128) * 65535) / 255), clamp(((bb + 128) * 65535) / 255)];
}
