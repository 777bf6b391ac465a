/**
 * SOP classes that carry no image a radiologist would page through. Anything not
 * listed is accepted when it has pixel data, so new image classes keep working.
 */
const NOT_IMAGES: Array<[prefix: string, description: string]> = [
  ['1.2.840.10008.1.3.10', 'a DICOMDIR index file (the images it lists are opened from the folder itself)'],
  ['1.2.840.10008.5.1.4.1.1.88.', 'a structured report (text, not an image)'],
  ['1.2.840.10008.5.1.4.1.1.11.', 'a presentation state (display settings, not an image)'],
  ['1.2.840.10008.5.1.4.1.1.66', 'a segmentation or registration object, not an image'],
  ['1.2.840.10008.5.1.4.1.1.481.', 'a radiotherapy object (plan, structure set or dose), not an image'],
  ['1.2.840.10008.5.1.4.1.1.104.', 'an encapsulated document (PDF or CDA), not an image'],
  ['1.2.840.10008.5.1.4.1.1.9.', 'a waveform (ECG or similar), not an image'],
  ['1.2.840.10008.5.1.4.1.1.67', 'a real-world value mapping, not an image'],
  ['1.2.840.10008.5.1.4.1.1.68.', 'a surface object, not an image'],
];

/** Why this SOP class is not opened as an image, or null when it may be one. */
export function nonImageReason(sopClassUid: string): string | null {
  for (const [prefix, description] of NOT_IMAGES) {
    if (sopClassUid === prefix || (prefix.endsWith('.') && sopClassUid.startsWith(prefix)) || sopClassUid.startsWith(`${prefix}.`)) {
      return description;
    }
  }
  return null;
}
